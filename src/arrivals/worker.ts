/**
 * The arrivals' background work, in every instance: retrying announcements whose claimer failed or died, and (when
 * polling is on) the poller's ticks. One run at a time; `stop` waits for the run in progress and for announcements
 * still being posted, so a deploy does not cut a message in half.
 */
import type { Logger } from '@slack/bolt';
import { type ArrivalDeps, retryAnnouncements } from '../core/arrivals.js';
import type { Poller, PollReport } from '../core/polling.js';
import { errorMessage } from '../lib/errors.js';

/** How often each instance looks for due checks and for announcements to retry. */
export const ARRIVAL_TICK_MS = 10_000;

export interface ArrivalWorker {
  /** One round now: retries, then poll checks (tests and the playground drive it with a fake clock). */
  runOnce(): Promise<{ retried: number; poll: PollReport | undefined }>;
  /** Run a round every `ARRIVAL_TICK_MS` (or `tickMs`) until stopped. */
  start(): void;
  /** Resolves when the announcements posting now are done (tests, before they move a fake clock on). */
  settled(): Promise<void>;
  /** Stop the timer; wait for the round in progress and for announcements in flight. */
  stop(): Promise<void>;
}

export function createArrivalWorker(options: {
  readonly arrivals: ArrivalDeps;
  readonly poller: Poller | undefined;
  readonly logger: Logger;
  readonly inFlight: Set<Promise<void>>;
  readonly tickMs?: number;
}): ArrivalWorker {
  const { arrivals, poller, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<{ retried: number; poll: PollReport | undefined }> | undefined;

  const round = async () => {
    const retried = await retryAnnouncements(arrivals);
    const poll = poller === undefined ? undefined : await poller.tick();
    return { retried, poll };
  };
  const runOnce = () => {
    running ??= round().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    runOnce,
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        runOnce().catch((error: unknown) => logger.warn(`Arrivals: a background round failed: ${errorMessage(error)}`));
      }, options.tickMs ?? ARRIVAL_TICK_MS);
      timer.unref();
    },
    async settled() {
      while (options.inFlight.size > 0) await Promise.allSettled([...options.inFlight]);
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      await Promise.allSettled([...options.inFlight]);
    },
  };
}
