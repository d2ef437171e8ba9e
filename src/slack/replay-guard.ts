/**
 * Replay protection in front of Bolt's HTTPReceiver.
 *
 * Bolt 5.1 verifies the signature but refuses only stale timestamps, never future ones, and remembers nothing
 * (dist/receivers/verify-request.js:27-34). So a captured request, say a slash command whose reply is a fresh upload
 * link, can be sent again for five minutes, or for as long as its timestamp lies in the future.
 *
 * The seam: `HTTPReceiver#requestListener`, a public property the receiver's own server calls on every request
 * (dist/receivers/HTTPReceiver.js:177-179). We replace it with a listener that, for POSTs to the Slack endpoints:
 *
 *   1. buffers the body with Bolt's own helper (the receiver then reuses `req.rawBody`: HTTPModuleFunctions.js:120-123);
 *   2. answers 401 unless the timestamp is within ±5 minutes of now and X-Slack-Signature is exactly
 *      `v0=<HMAC-SHA256(secret, "v0:<timestamp>:<body>")>`;
 *   3. claims the digest in the shared table; a repeat gets an empty 200 and never reaches Bolt;
 *   4. hands the first sighting to Bolt, whose own verification stays on (a second check costs microseconds, and
 *      the receiver stays safe if this guard is ever left out).
 *
 * Everything else (custom routes, unknown paths) goes to Bolt's listener untouched and synchronously, so its
 * dispatchErrorHandler still answers 404s.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { type BufferedIncomingMessage, HTTPModuleFunctions, type HTTPReceiver, type Logger } from '@slack/bolt';
import type { SeenRequestRepository } from '../core/ports.js';
import { errorMessage } from '../lib/errors.js';

/** Slack's own rule, applied in both directions: https://docs.slack.dev/authentication/verifying-requests-from-slack */
export const WINDOW_SECONDS = 5 * 60;

export interface ReplayGuardOptions {
  readonly signingSecret: string;
  /** The receiver's `endpoints`. */
  readonly endpoints: readonly string[];
  readonly seen: SeenRequestRepository;
  readonly logger: Logger;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly bodyLimit?: number;
}

export type Verdict =
  | { readonly ok: true; readonly digest: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: string };

/** Pure: is this a request Slack signed within the window? The digest is the replay key. */
export function verifySlackSignature(
  signingSecret: string,
  headers: IncomingMessage['headers'],
  rawBody: Buffer,
  nowMs: number,
): Verdict {
  const timestampHeader = headers['x-slack-request-timestamp'];
  const signature = headers['x-slack-signature'];
  if (typeof timestampHeader !== 'string' || !/^[1-9]\d{0,11}$/.test(timestampHeader)) {
    return { ok: false, reason: 'no usable X-Slack-Request-Timestamp' };
  }
  if (typeof signature !== 'string') return { ok: false, reason: 'no X-Slack-Signature' };
  const timestamp = Number(timestampHeader);
  if (Math.abs(Math.floor(nowMs / 1000) - timestamp) > WINDOW_SECONDS) {
    return { ok: false, reason: `timestamp ${timestamp} is more than ${WINDOW_SECONDS} s from now` };
  }
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  const digest = hmac.digest('hex');
  const expected = Buffer.from(`v0=${digest}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true, digest, timestamp };
}

/** Bolt answers these itself without any signature check and strips their payload (HTTPModuleFunctions.js:79-90). */
function isSslCheck(req: IncomingMessage, rawBody: Buffer): boolean {
  if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return false;
  // Parsed only when it may be one: every command's body would otherwise be parsed here and again by Bolt.
  return rawBody.includes('ssl_check') && parseQuery(rawBody.toString()).ssl_check === '1';
}

function answer(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-length': '0' });
  res.end();
}

/** The guarded listener; `inner` is Bolt's. Exported for receivers built by hand. */
export function replayGuardedListener(inner: RequestListener, options: ReplayGuardOptions): RequestListener {
  const now = options.now ?? Date.now;
  const { logger } = options;

  async function guard(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(
        req,
        options.bodyLimit ?? HTTPModuleFunctions.defaultBodyLimit,
      );
    } catch (error) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
      logger.warn(`Slack request body unreadable: ${errorMessage(error)}`);
      return answer(res, tooLarge ? 413 : 400);
    }
    if (isSslCheck(req, buffered.rawBody)) return void inner(buffered, res);

    const verdict = verifySlackSignature(options.signingSecret, req.headers, buffered.rawBody, now());
    if (!verdict.ok) {
      logger.warn(`Refused a Slack request: ${verdict.reason}`);
      return answer(res, 401);
    }
    let first: boolean;
    try {
      first = await options.seen.claim(verdict.digest, verdict.timestamp);
    } catch (error) {
      // The store is failing: let the request through to be answered "temporarily unavailable". Anything a replay
      // could do (mint a link, change a rule) needs the same store, so it fails the same way.
      logger.error(`Cannot check Slack requests for replays: ${errorMessage(error)}`);
      first = true;
    }
    if (!first) {
      // Already acted on, here or on another instance. Slack itself never sends the same signature twice (its
      // retries are signed anew); a 2xx with no body does nothing and tells a sender nothing.
      logger.warn(`Ignored a replayed Slack request (timestamp ${verdict.timestamp})`);
      return answer(res, 200);
    }
    inner(buffered, res);
  }

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || !options.endpoints.includes(path)) return inner(req, res);
    guard(req, res).catch((error: unknown) => {
      logger.error('Replay guard failed:', error);
      answer(res, 500);
    });
  };
}

/** Put the guard in front of a receiver built with `signatureVerification` left on. Call before `app.start()`. */
export function guardAgainstReplays(receiver: HTTPReceiver, options: ReplayGuardOptions): void {
  receiver.requestListener = replayGuardedListener(receiver.requestListener, options);
}
