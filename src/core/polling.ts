/**
 * Where no S3 events reach the bot (Socket Mode, a bucket without notifications), raw links are watched with
 * HeadObject: first a minute after the link is made, then at doubling intervals up to 30 minutes, until one last
 * check a few minutes after the URL expires (S3 checks expiry when an upload starts, so one may still finish).
 * Checks keep going after an arrival: the same URL can upload again (announced as "replaced").
 *
 * The cost is bounded: at most `maxPerMinute` HeadObject calls a minute per instance, the longest-waiting first;
 * checks over the bound wait for the next minute. The schedule lives in the store, so instances share it and each
 * check is made once.
 */
import { type ArrivalDeps, recordArrival } from './arrivals.js';
import type { Arrival, PartnerLink } from './model.js';
import type { PollTarget } from './ports.js';

export const POLL_FIRST_SECONDS = 60;
export const POLL_MAX_INTERVAL_SECONDS = 30 * 60;
/** The last check comes this long after the raw URL expires. */
export const POLL_GRACE_SECONDS = 5 * 60;

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
const earlier = (a: Date, b: Date) => new Date(Math.min(a.getTime(), b.getTime()));
const finalCheck = (link: PartnerLink) => at(link.urlExpiresAt ?? link.expiresAt, POLL_GRACE_SECONDS);

/** The first check of a newly seen raw link. */
export function firstCheck(link: PartnerLink): { at: Date; intervalSeconds: number } {
  const first = at(link.createdAt, POLL_FIRST_SECONDS);
  const last = finalCheck(link);
  return { at: earlier(first, last), intervalSeconds: POLL_FIRST_SECONDS };
}

/** The check after one made at `now`, or undefined when that was the last. */
export function nextCheck(target: PollTarget, now: Date): { at: Date; intervalSeconds: number } | undefined {
  const last = finalCheck(target.link);
  if (target.dueAt >= last || now >= last) return undefined;
  const intervalSeconds = Math.min(POLL_MAX_INTERVAL_SECONDS, target.intervalSeconds * 2);
  return { at: earlier(at(now, intervalSeconds), last), intervalSeconds };
}

export interface PollDeps {
  readonly arrivals: ArrivalDeps;
  /** HeadObject: the object at `key`, or undefined when there is none. */
  readonly head: (key: string) => Promise<Arrival | undefined>;
  readonly maxPerMinute: number;
  /** A check that failed (S3 unreachable, access denied); the schedule goes on. */
  readonly onCheckFailed?: (link: PartnerLink, error: unknown) => void;
}

export interface PollReport {
  /** HeadObject calls made. */
  readonly checked: number;
  /** Of those, objects recorded as new arrivals. */
  readonly arrived: number;
  /** Some checks that were due are left for later by the per-minute bound. */
  readonly moreDue: boolean;
}

export interface Poller {
  /** Schedule newly seen raw links, then make the checks that are due, within the bound. */
  tick(): Promise<PollReport>;
}

export function createPoller(deps: PollDeps): Poller {
  const { store, now } = deps.arrivals;
  /** When this instance made its checks within the last minute. */
  let recent: number[] = [];
  return {
    async tick() {
      const started = now();
      for (const link of await store.polls.unscheduled(at(started, -POLL_GRACE_SECONDS), 200)) {
        const first = firstCheck(link);
        await store.polls.schedule(link.id, first.at, first.intervalSeconds);
      }
      recent = recent.filter((t) => t > started.getTime() - 60_000);
      const budget = Math.max(0, deps.maxPerMinute - recent.length);
      // One more than the budget, to tell whether any were left waiting.
      const due = await store.polls.due(started, budget + 1);
      let checked = 0;
      let arrived = 0;
      for (const target of due.slice(0, budget)) {
        const checkedAt = now();
        if (!(await store.polls.take(target, nextCheck(target, checkedAt)))) continue;
        recent.push(checkedAt.getTime());
        checked++;
        try {
          const object = await deps.head(target.link.key);
          if (object !== undefined && (await recordArrival(deps.arrivals, target.link, object, 'poll')).first) {
            arrived++;
          }
        } catch (error) {
          deps.onCheckFailed?.(target.link, error);
        }
      }
      return { checked, arrived, moreDue: due.length > budget };
    },
  };
}
