/**
 * Load from this process with autocannon: slash commands signed as Slack signs them, every one distinct (its own
 * trigger_id, so its own signature): ours refuses a request it has seen (src/slack/replay-guard.ts), as it should.
 * The requests are made before the run, so the client spends no CPU signing while it measures.
 * A run is bounded by its duration or amount and, as a watchdog, by a wall-clock limit.
 */
import autocannon, { type Result } from 'autocannon';
import { SLACK_EVENTS_PATH } from '../src/slack/app.js';
import { commandBody, slackSignature } from '../test/support/slack-request.js';
import { type HttpRequest, onCleanUp } from './processes.js';

/**
 * `/upload-link <text>` from `userId`, signed with the current time. Each call is a new request (commandBody gives
 * it a fresh trigger_id, as Slack gives every invocation its own). Slack's signatures are good for 5 minutes, so
 * each run signs its own.
 */
export function signedCommand(secret: string, text: string, userId: string): HttpRequest {
  const body = commandBody({ text, user_id: userId });
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    path: SLACK_EVENTS_PATH,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  };
}

export interface LoadOptions {
  readonly port: number;
  /** A new signed request on every call. */
  readonly request: () => HttpRequest;
  readonly connections: number;
  /**
   * How many requests to sign before the run (default: enough for the amount, the paced rate, or `seconds` at
   * DEFAULT_POOL_RATE); should the run need more, the rest are signed as they are sent.
   */
  readonly pool?: number;
  /** Either a duration in seconds… */
  readonly seconds?: number;
  /** …or a number of requests. */
  readonly amount?: number;
  /** Offered load in requests per second over all connections; as fast as replies come by default. */
  readonly overallRate?: number;
  /** Every reply must pass this, or it is counted as a mismatch. */
  readonly verifyBody: (body: string) => boolean;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly completed: number;
  /** Non-2xx replies, mismatched bodies, connection errors and timeouts; each should be 0. */
  readonly problems: string[];
}

/** Wall-clock limit for one run: its duration plus slack, or a generous floor for amount-bounded runs. */
const watchdogMs = (options: LoadOptions) => ((options.seconds ?? 0) + 20) * 1000 + (options.amount ?? 0) * 5;

/** Requests a second a duration-bounded run is assumed to need, unless told (above bare Bolt's rate here). */
export const DEFAULT_POOL_RATE = 20_000;

function poolSize(options: LoadOptions): number {
  if (options.pool !== undefined) return options.pool;
  if (options.amount !== undefined) return options.amount + options.connections;
  const seconds = options.seconds ?? 1;
  return Math.ceil((options.overallRate ?? DEFAULT_POOL_RATE) * seconds) + options.connections;
}

/**
 * `count` requests made now, handed out once each; beyond them, made on the spot (still each its own). `release`
 * drops the unsent ones: the finished autocannon instance stays reachable (from the clean-up list) until the end.
 */
function requestPool(make: () => HttpRequest, count: number) {
  let made: (HttpRequest | undefined)[] = Array.from({ length: count }, make);
  let next = 0;
  return {
    take(): HttpRequest {
      const request = made[next];
      if (request === undefined) return make();
      made[next++] = undefined; // Sent once: let it go.
      return request;
    },
    release() {
      made = [];
    },
  };
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = requestPool(options.request, poolSize(options));
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.port}${SLACK_EVENTS_PATH}`,
        method: 'POST',
        requests: [
          {
            // autocannon builds what it sends from what this returns, before every send.
            setupRequest: (request) => {
              const next = pool.take();
              return { ...request, path: next.path, headers: { ...request.headers, ...next.headers }, body: next.body };
            },
          },
        ],
        connections: options.connections,
        ...(options.amount === undefined ? { duration: options.seconds ?? 1 } : { amount: options.amount }),
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
        timeout: 10,
        verifyBody: options.verifyBody,
      },
      (error, result) => {
        clearTimeout(watchdog);
        pool.release();
        stopOnCleanUp.active = false;
        if (error) return reject(error);
        resolve(summarise(result, timedOut));
      },
    );
    const watchdog = setTimeout(() => {
      timedOut = true;
      instance.stop();
    }, watchdogMs(options));
    const stopOnCleanUp = { active: true };
    onCleanUp(() => {
      if (stopOnCleanUp.active) instance.stop();
    });
  });
}

function summarise(result: Result, timedOut: boolean): LoadResult {
  const problems: string[] = [];
  if (timedOut) problems.push('stopped by the watchdog before it finished');
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)})`);
  if (result.mismatches > 0) problems.push(`${result.mismatches} replies without the expected body`);
  if (result.errors > 0) problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    completed: result['2xx'],
    problems,
  };
}
