/**
 * Load from this process with autocannon: one slash command, signed as Slack signs it, sent over and over.
 * A run is bounded by its duration or amount and, as a watchdog, by a wall-clock limit.
 */
import autocannon, { type Result } from 'autocannon';
import { SLACK_EVENTS_PATH } from '../src/slack/app.js';
import { commandBody, slackSignature } from '../test/support/slack-request.js';
import { type HttpRequest, onCleanUp } from './processes.js';

/**
 * `/upload-link <text>` from `userId`, signed with the current time. Slack's signatures are good for 5 minutes
 * (Bolt refuses older ones), so each run signs afresh and every request in it shares this body and signature.
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
  readonly request: () => HttpRequest;
  readonly connections: number;
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

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const req = options.request();
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.port}${req.path}`,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        connections: options.connections,
        ...(options.amount === undefined ? { duration: options.seconds ?? 1 } : { amount: options.amount }),
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
        timeout: 10,
        verifyBody: options.verifyBody,
      },
      (error, result) => {
        clearTimeout(watchdog);
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
