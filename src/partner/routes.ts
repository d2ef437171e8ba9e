/**
 * The partner page's HTTP routes, served by Bolt's receiver as custom routes:
 *
 *   GET  /u/:id            the page (404 for unknown ids, without saying whether one ever existed)
 *   POST /u/:id/sign       a fresh PUT for the chosen file's exact size and type (410 once closed)
 *   POST /u/:id/complete   HeadObject confirms the arrival; the channel is told once
 *   GET  /assets/partner.{js,css}
 *
 * Signing at upload time is what makes links revocable: a closed link gets no new signature.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute, Logger } from '@slack/bolt';
import type { ParamsIncomingMessage } from '@slack/bolt/dist/receivers/ParamsIncomingMessage.js';
import type { ObjectOps } from '../aws/objects.js';
import { checkFile, contentTypeFor, formatSize, MAX_PUT_BYTES, NO_LIMITS, type UploadLimits } from '../core/limits.js';
import type { GlobalSettings } from '../core/settings.js';
import { type AccessStore, type PartnerLink, StoreUnavailableError } from '../store/index.js';
import { PARTNER_CSS, PARTNER_JS } from './assets.js';
import { CLOSED_MESSAGES, type LinkState, renderNotFound, renderPage, renderRateLimited } from './page.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';

/** 128 random bits, base64url. */
export const LINK_ID = /^[A-Za-z0-9_-]{22}$/;
/** A signature made at upload time only needs to last until the upload starts. */
export const PAGE_SIGNATURE_SECONDS = 15 * 60;

export const RATE_LIMITS = { perLinkPerMinute: 30, perAddressPerMinute: 120 } as const;

export interface ArrivalNotice {
  readonly link: PartnerLink;
  readonly size: number;
  readonly contentType: string;
}

export interface PartnerDeps {
  readonly store: AccessStore;
  readonly objects: ObjectOps;
  readonly settings: GlobalSettings;
  readonly bucket: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Tell the channel (or the requester) that a file arrived. Failures are logged, never shown to the partner. */
  readonly notify: (notice: ArrivalNotice) => Promise<void>;
  /** Origins the page may connect to besides itself: the S3 endpoint the signed URLs point at. */
  readonly uploadOrigin: () => Promise<string>;
  readonly limiter?: RateLimiter;
}

const paramId = (req: ParamsIncomingMessage): string | undefined => {
  const id = req.params?.id;
  return typeof id === 'string' ? id : undefined;
};

export function linkState(link: PartnerLink, now: Date): LinkState {
  if (link.revokedAt !== undefined) return 'revoked';
  if (link.singleUse && link.uploads > 0) return 'used';
  if (link.expiresAt <= now) return 'expired';
  return 'open';
}

/** The limits that apply now: the channel's current settings (an admin tightening them applies to open links). */
async function currentLimits(store: AccessStore, link: PartnerLink): Promise<UploadLimits> {
  const settings = await store.channelSettings(link.channelId);
  if (settings === undefined) return NO_LIMITS;
  return { maxSizeBytes: settings.maxSizeBytes, allowedTypes: settings.allowedTypes };
}

/** The caller's address: behind Heroku's router (or any proxy appending to it) the last X-Forwarded-For entry. */
function clientAddress(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').at(-1)?.trim();
  return last || req.socket.remoteAddress || 'unknown';
}

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: object) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

async function readJson(req: IncomingMessage, maxBytes = 8192): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const REFUSALS = {
  'too-large': (limits: UploadLimits) =>
    `This file is too large: this link accepts at most ${formatSize(limits.maxSizeBytes ?? MAX_PUT_BYTES)}.`,
  'wrong-type': (limits: UploadLimits) =>
    `This type of file isn't accepted here: only ${limits.allowedTypes?.join(', ')}.`,
  empty: () => 'This file is empty.',
};

export function createPartnerRoutes(deps: PartnerDeps): CustomRoute[] {
  const limiter = deps.limiter ?? createRateLimiter();

  /** Counts the request; answers 429 itself and returns false when over a limit. */
  function allowed(req: IncomingMessage, res: ServerResponse, id: string | undefined, html: boolean): boolean {
    const okAddress = limiter.take(`addr:${clientAddress(req)}`, RATE_LIMITS.perAddressPerMinute);
    const okLink = id === undefined || limiter.take(`link:${id}`, RATE_LIMITS.perLinkPerMinute);
    if (okAddress && okLink) return true;
    if (html) send(res, 429, 'text/html; charset=utf-8', renderRateLimited(), { 'retry-after': '60' });
    else json(res, 429, { error: 'rate-limited', message: 'Too many attempts. Wait a minute and try again.' });
    return false;
  }

  /** The link for a request, or undefined after answering 404 (unknown and malformed ids look the same). */
  async function findLink(
    id: string | undefined,
    res: ServerResponse,
    html: boolean,
  ): Promise<PartnerLink | undefined> {
    const link = id !== undefined && LINK_ID.test(id) ? await deps.store.getLink(id) : undefined;
    if (link === undefined) {
      if (html) send(res, 404, 'text/html; charset=utf-8', renderNotFound());
      else json(res, 404, { error: 'not-found', message: 'This upload link does not exist.' });
    }
    return link;
  }

  /** Shared failure handling: the store being down is a 503 with a plain message; anything else is a bug. */
  const guarded =
    (html: boolean, handler: (req: ParamsIncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: ParamsIncomingMessage, res: ServerResponse) => {
      handler(req, res).catch((error: unknown) => {
        const unavailable = error instanceof StoreUnavailableError;
        if (!unavailable) deps.logger.error('Partner page request failed:', error);
        else deps.logger.error(`Partner page: ${error.message}`);
        if (res.headersSent) return;
        const message = 'The upload service is temporarily unavailable. Please try again in a few minutes.';
        if (html)
          send(res, 503, 'text/html; charset=utf-8', `<!doctype html><title>Unavailable</title><p>${message}</p>`);
        else json(res, 503, { error: 'unavailable', message });
      });
    };

  async function csp(): Promise<string> {
    const s3 = await deps.uploadOrigin();
    return [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ${s3}`,
      "form-action 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; ');
  }

  return [
    {
      path: '/assets/partner.js',
      method: ['GET'],
      handler: (_req, res) =>
        send(res, 200, 'text/javascript; charset=utf-8', PARTNER_JS, { 'cache-control': 'public, max-age=300' }),
    },
    {
      path: '/assets/partner.css',
      method: ['GET'],
      handler: (_req, res) =>
        send(res, 200, 'text/css; charset=utf-8', PARTNER_CSS, { 'cache-control': 'public, max-age=300' }),
    },
    {
      path: '/u/:id',
      method: ['GET'],
      handler: guarded(true, async (req, res) => {
        const id = paramId(req);
        if (!allowed(req, res, undefined, true)) return;
        const link = await findLink(id, res, true);
        if (!link) return;
        const state = linkState(link, deps.now());
        const place = `#${link.channelName} in ${link.teamName}`;
        const page = renderPage({
          id: link.id,
          filename: link.filename,
          place: link.channelName === 'directmessage' ? `a direct message in ${link.teamName}` : place,
          expiresAt: link.expiresAt,
          state,
          limits: await currentLimits(deps.store, link),
        });
        send(res, state === 'open' ? 200 : 410, 'text/html; charset=utf-8', page, {
          'content-security-policy': await csp(),
        });
      }),
    },
    {
      path: '/u/:id/sign',
      method: ['POST'],
      handler: guarded(false, async (req, res) => {
        const id = paramId(req);
        if (!allowed(req, res, id, false)) return;
        const body = await readJson(req);
        const link = await findLink(id, res, false);
        if (!link) return;
        const now = deps.now();
        const state = linkState(link, now);
        if (state !== 'open') return json(res, 410, { error: state, message: CLOSED_MESSAGES[state] });
        const name = typeof body?.name === 'string' ? body.name.slice(0, 1024) : '';
        const size = typeof body?.size === 'number' ? body.size : Number.NaN;
        const browserType = typeof body?.type === 'string' ? body.type.slice(0, 255) : undefined;
        if (body === undefined || name === '' || !Number.isSafeInteger(size)) {
          return json(res, 400, { error: 'bad-request', message: 'Choose a file, then upload it.' });
        }
        const limits = await currentLimits(deps.store, link);
        const check = checkFile({ name, size }, limits);
        if (!check.ok) return json(res, 400, { error: check.reason, message: REFUSALS[check.reason](limits) });
        const contentType = contentTypeFor(name, browserType);
        const seconds = Math.max(
          1,
          Math.min(PAGE_SIGNATURE_SECONDS, Math.floor((link.expiresAt.getTime() - now.getTime()) / 1000)),
        );
        const url = await deps.objects.signExactPut(link.key, { length: size, contentType }, seconds, now);
        json(res, 200, {
          url,
          method: 'PUT',
          headers: { 'Content-Type': contentType },
          expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
        });
      }),
    },
    {
      path: '/u/:id/complete',
      method: ['POST'],
      handler: guarded(false, async (req, res) => {
        const id = paramId(req);
        if (!allowed(req, res, id, false)) return;
        await readJson(req);
        const link = await findLink(id, res, false);
        if (!link) return;
        const state = linkState(link, deps.now());
        // A single-use link that just received its file is 'used' now; completing it again is still fine.
        if (state === 'revoked' || (state === 'expired' && link.uploads === 0)) {
          return json(res, 410, { error: state, message: CLOSED_MESSAGES[state] });
        }
        const stored = await deps.objects.head(link.key);
        if (stored === undefined) {
          return json(res, 409, {
            error: 'not-uploaded',
            message: "The file hasn't arrived yet. Try the upload again.",
          });
        }
        const result = await deps.store.recordArrival(link.id, stored, deps.now());
        if (result?.first) {
          deps
            .notify({ link: result.link, size: stored.size, contentType: stored.contentType })
            .catch((error: unknown) =>
              deps.logger.warn(`Could not tell Slack about an arrival for ${link.key}: ${(error as Error).message}`),
            );
        }
        json(res, 200, { ok: true, size: stored.size, contentType: stored.contentType, repeated: !result?.first });
      }),
    },
  ];
}
