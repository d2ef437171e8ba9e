/**
 * Where S3 tells the bot that objects arrived, served by Bolt's receiver as custom routes (HTTP mode only):
 *
 *   POST /s3/events          Amazon SNS messages for S3_EVENTS_SNS_TOPIC_ARN (signature verified; the subscription
 *                            confirmed automatically), each carrying S3's event JSON
 *   POST /s3/events/:token   raw S3 event records (`{"Records":[…]}`) pushed by Ceph RGW or MinIO, when
 *                            S3_EVENTS_TOKEN is set; any other token gets the same bare 404 as an unknown path
 *
 * Each ObjectCreated:* record for our bucket is matched to its link by key and recorded through core/arrivals.ts;
 * the answer comes once the claims are stored (RGW holds the uploader's PUT until then), the Slack message after.
 * A store failure answers 503, so senders that retry (SNS, RGW's persistent topics) try again.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { CustomRoute, Logger } from '@slack/bolt';
import { type ArrivalDeps, recordCreatedObjects } from '../core/arrivals.js';
import { parseS3EventMessage } from '../core/s3-events.js';
import { errorMessage, isStoreUnavailable } from '../lib/errors.js';
import { type RouteRequest, readJson, routeParam, sendJson } from '../partner/http.js';
import { SnsMessageRejectedError, type SnsVerifier } from './sns.js';

export const S3_EVENTS_PATH = '/s3/events';
/** SNS messages are at most 256 KB; S3 event messages at most 64 KB. */
export const MAX_EVENT_BODY_BYTES = 256 * 1024;

export interface EventRouteDeps {
  readonly arrivals: ArrivalDeps;
  readonly bucket: string;
  readonly logger: Logger;
  /** Set → `POST /s3/events/<token>` accepts raw records. */
  readonly token?: string;
  /** Set → `POST /s3/events` accepts SNS messages for its topic. */
  readonly sns?: SnsVerifier;
}

type Handler = (req: RouteRequest, res: ServerResponse) => Promise<void>;

/** Constant-time, whatever the lengths: both sides are hashed to 32 bytes first. */
export function sameToken(given: string | undefined, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given ?? ''), digest(expected));
}

/** What Bolt answers for a path it does not serve: a wrong token looks the same. */
function notFound(res: ServerResponse): void {
  res.writeHead(404);
  res.end();
}

const badRequest = (res: ServerResponse, message: string) => sendJson(res, 400, { error: 'bad-request', message });

/** Record what a parsed S3 event body says, and answer. */
async function handleEventBody(deps: EventRouteDeps, res: ServerResponse, body: unknown, via: string): Promise<void> {
  const parsed = parseS3EventMessage(body, deps.bucket);
  if (parsed === undefined) return badRequest(res, 'Expected S3 event records: {"Records":[…]}.');
  if (parsed.kind === 'test') {
    deps.logger.info(`S3 test event for bucket ${JSON.stringify(parsed.bucket)} received ${via}`);
    return sendJson(res, 200, { ok: true });
  }
  const report = await recordCreatedObjects(deps.arrivals, parsed.created);
  for (const key of report.unknownKeys)
    deps.logger.debug(`S3 event ${via} for a key no link has: ${JSON.stringify(key)}`);
  for (const key of report.writtenOnceKeys)
    deps.logger.warn(
      `S3 event ${via} names another object at single-use key ${JSON.stringify(key)}: S3 refused that write (it is signed If-None-Match), so it is ignored`,
    );
  sendJson(res, 200, {
    ok: true,
    recorded: report.recorded,
    duplicates: report.duplicates,
    unknown: report.unknownKeys.length,
    writtenOnce: report.writtenOnceKeys.length,
    ignored: parsed.ignored,
  });
}

const webhook =
  (deps: EventRouteDeps, token: string): Handler =>
  async (req, res) => {
    if (!sameToken(routeParam(req, 'token'), token)) {
      deps.logger.info(`POST ${S3_EVENTS_PATH}/… with a wrong token: answered 404`);
      return notFound(res);
    }
    const body = await readJson(req, MAX_EVENT_BODY_BYTES);
    if (body === undefined) return badRequest(res, 'Expected a JSON object of at most 256 KB.');
    await handleEventBody(deps, res, body, 'from the webhook');
  };

const snsMessages =
  (deps: EventRouteDeps, sns: SnsVerifier): Handler =>
  async (req, res) => {
    const body = await readJson(req, MAX_EVENT_BODY_BYTES);
    if (body === undefined) return badRequest(res, 'Expected an SNS message (JSON, at most 256 KB).');
    let message: Awaited<ReturnType<SnsVerifier['verify']>>;
    try {
      message = await sns.verify(body);
    } catch (error) {
      if (!(error instanceof SnsMessageRejectedError)) throw error;
      deps.logger.warn(`${S3_EVENTS_PATH}: ${error.message}`);
      return sendJson(res, error.status, { error: error.reason });
    }
    if (message.type === 'SubscriptionConfirmation') {
      try {
        await sns.confirmSubscription(message);
      } catch (error) {
        // 503: SNS sends the confirmation again.
        deps.logger.error(`Could not confirm the SNS subscription to ${sns.topic.arn}: ${errorMessage(error)}`);
        return sendJson(res, 503, { error: 'confirmation-failed' });
      }
      deps.logger.info(`Confirmed the SNS subscription to ${sns.topic.arn}: S3 events will arrive here`);
      return sendJson(res, 200, { ok: true });
    }
    if (message.type === 'UnsubscribeConfirmation') {
      // Its SubscribeURL would subscribe again; that is for an operator to decide, not for a message.
      deps.logger.warn(`SNS says ${S3_EVENTS_PATH} was unsubscribed from ${sns.topic.arn}: no more S3 events arrive`);
      return sendJson(res, 200, { ok: true });
    }
    let inner: unknown;
    try {
      inner = JSON.parse(message.message);
    } catch {
      inner = undefined;
    }
    await handleEventBody(deps, res, inner, `through SNS (message ${JSON.stringify(message.messageId)})`);
  };

/** A route's failure becomes an answer in one place: the store being down is a 503; anything else is a bug (500). */
const guarded =
  (logger: Logger, handler: Handler): CustomRoute['handler'] =>
  (req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (isStoreUnavailable(error)) logger.error(`S3 events: ${error.message}`);
      else logger.error('S3 event request failed:', error);
      if (!res.headersSent) sendJson(res, isStoreUnavailable(error) ? 503 : 500, { error: 'unavailable' });
    });
  };

export function createEventRoutes(deps: EventRouteDeps): CustomRoute[] {
  const routes: CustomRoute[] = [];
  if (deps.sns !== undefined) {
    routes.push({ path: S3_EVENTS_PATH, method: ['POST'], handler: guarded(deps.logger, snsMessages(deps, deps.sns)) });
  }
  if (deps.token !== undefined) {
    const handler = guarded(deps.logger, webhook(deps, deps.token));
    routes.push({ path: `${S3_EVENTS_PATH}/:token`, method: ['POST'], handler });
  }
  return routes;
}
