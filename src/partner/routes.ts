/**
 * The partner page's HTTP routes, served by Bolt's receiver as custom routes:
 *
 *   GET    /u/:id                                  the page (404 for unknown ids, without saying whether one existed)
 *   POST   /u/:id/sign                             a fresh PUT for the chosen file's exact size and MD5 (410 once closed)
 *   POST   /u/:id/complete                         HeadObject confirms the arrival; the channel is told once
 *   POST   /u/:id/multipart                        files above the threshold: create an upload (multipart.ts)
 *   POST   /u/:id/multipart/:upload/parts/:n       a fresh PUT for part n's exact length and MD5
 *   GET    /u/:id/multipart/:upload/parts          the parts S3 holds (resume)
 *   POST   /u/:id/multipart/:upload/complete       check the parts, complete, then as /complete
 *   DELETE /u/:id/multipart/:upload                abort (Cancel)
 *   GET    /assets/partner.{js,css}, /assets/partner-md5-worker.js
 *
 * Signing at upload time is what makes links revocable: a closed link gets no new signature, and a signature lives
 * at most a minute (S3 checks expiry when a request starts, so an upload under way is not cut off).
 */
import type { ServerResponse } from 'node:http';
import type { CustomRoute, Logger } from '@slack/bolt';
import type { ObjectOps, SignedRequest, StoredAs } from '../aws/objects.js';
import { type ArrivalDeps, recordArrival } from '../core/arrivals.js';
import {
  checkFile,
  contentDispositionFor,
  contentTypeFor,
  formatSize,
  MAX_OBJECT_BYTES,
  MAX_PUT_BYTES,
  NO_LIMITS,
  type UploadLimits,
} from '../core/limits.js';
import { LINK_ID, linkState } from '../core/links.js';
import type { PartnerLink } from '../core/model.js';
import { MULTIPART_THRESHOLD_BYTES } from '../core/multipart.js';
import type { RateLimiter, Store } from '../core/ports.js';
import { isStoreUnavailable } from '../lib/errors.js';
import type { PartnerAssets } from './assets.js';
import { type RouteRequest, readJson, routeParam, send, sendHtml, sendJson } from './http.js';
import { multipartRoutes } from './multipart.js';
import { CLOSED_MESSAGES, renderNotFound, renderPage, renderRateLimited } from './page.js';
import { clientAddress } from './rate-limit.js';

/** A signature made at upload time only needs to last until the upload starts (issue 10: at most a minute). */
export const PAGE_SIGNATURE_SECONDS = 60;

export { RATE_LIMITS } from './rate-limit.js';

export interface PartnerDeps {
  readonly store: Store;
  readonly objects: ObjectOps;
  readonly assets: PartnerAssets;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Recording and announcing arrivals (src/core/arrivals.ts). */
  readonly arrivals: ArrivalDeps;
  /** Origins the page may connect to besides itself: the S3 endpoint the signed URLs point at. */
  readonly uploadOrigin: () => Promise<string>;
  /** Requests per address and per link (src/partner/rate-limit.ts), counted in the store for every instance. */
  readonly limits: { readonly address: RateLimiter; readonly link: RateLimiter; readonly parts: RateLimiter };
  /** TRUST_PROXY: how many proxies' X-Forwarded-For entries to believe. */
  readonly trustProxy: number;
  /** The storage does multipart uploads (ListParts, Abort): false for the playground's embedded S3. */
  readonly multipart: boolean;
}

/** The limits that apply now: the channel's current settings (an admin tightening them applies to open links). */
export async function currentLimits(store: Store, link: PartnerLink): Promise<UploadLimits> {
  const settings = await store.settings.get(link.channelId);
  if (settings === undefined) return NO_LIMITS;
  return { maxSizeBytes: settings.maxSizeBytes, allowedTypes: settings.allowedTypes };
}

export const REFUSALS = {
  'too-large': (max: number) => `This file is too large: this link accepts at most ${formatSize(max)}.`,
  'wrong-type': (types: readonly string[]) => `This type of file isn't accepted here: only ${types.join(', ')}.`,
  empty: () => 'This file is empty.',
};

/** The most one upload through the page can be: one PUT, or parts where the storage does multipart. */
export const pageCeiling = (deps: Pick<PartnerDeps, 'multipart'>): number =>
  deps.multipart ? MAX_OBJECT_BYTES : MAX_PUT_BYTES;

/** The chosen file checked against the link's limits now; answers 400 itself and returns false when outside them. */
export async function fileAllowed(
  deps: PartnerDeps,
  link: PartnerLink,
  file: { name: string; size: number },
  ceiling: number,
  res: ServerResponse,
): Promise<boolean> {
  const check = checkFile(file, await currentLimits(deps.store, link), ceiling);
  if (check.ok) return true;
  const message =
    check.reason === 'too-large'
      ? REFUSALS['too-large'](check.maxSizeBytes)
      : check.reason === 'wrong-type'
        ? REFUSALS['wrong-type'](check.allowedTypes)
        : REFUSALS.empty();
  sendJson(res, 400, { error: check.reason, message });
  return false;
}

/** What is stored is fixed by the link, never by the partner: its type from the link's own file name, and a
 * download-only disposition (issue 10). */
export const storedAsFor = (link: Pick<PartnerLink, 'filename'>): StoredAs => ({
  contentType: contentTypeFor(link.filename),
  contentDisposition: contentDispositionFor(link.filename),
});

/** Seconds a page signature lives: a minute, or what is left of the link. */
export function signatureSeconds(link: PartnerLink, now: Date): number {
  const left = Math.floor((link.expiresAt.getTime() - now.getTime()) / 1000);
  return Math.max(1, Math.min(PAGE_SIGNATURE_SECONDS, left));
}

/** Base64 of 16 bytes: what a Content-MD5 header holds. */
export const CONTENT_MD5 = /^[A-Za-z0-9+/]{22}==$/;

/**
 * What every JSON route starts with: count the request (against `budget`, the link's own by default), read the
 * body, find the link. Answers 429, 404 itself and returns undefined then.
 */
export async function begin(
  ctx: RouteContext,
  req: RouteRequest,
  res: ServerResponse,
  budget: Budget = 'link',
): Promise<{ link: PartnerLink; body: Record<string, unknown> | undefined } | undefined> {
  const id = routeParam(req, 'id');
  if (!(await ctx.allowed(req, res, id, false, budget))) return undefined;
  const body = await readJson(req);
  const link = await ctx.findLink(id, res, false);
  return link === undefined ? undefined : { link, body };
}

export type LinkHandler = (
  link: PartnerLink,
  body: Record<string, unknown> | undefined,
  req: RouteRequest,
  res: ServerResponse,
) => Promise<void>;

/** A JSON route of one link: `begin` first, then `handle` with the link found. */
export const linkRoute =
  (ctx: RouteContext, handle: LinkHandler, budget?: Budget): Handler =>
  async (req, res) => {
    const started = await begin(ctx, req, res, budget);
    if (started) await handle(started.link, started.body, req, res);
  };

/** The file the page says it sends: its name and size, or undefined (answered 400) when either is missing. */
export function chosenFile(
  body: Record<string, unknown> | undefined,
  res: ServerResponse,
): { name: string; size: number } | undefined {
  const name = typeof body?.name === 'string' ? body.name.slice(0, 1024) : '';
  const size = typeof body?.size === 'number' ? body.size : Number.NaN;
  if (name !== '' && Number.isSafeInteger(size)) return { name, size };
  sendJson(res, 400, { error: 'bad-request', message: 'Choose a file, then upload it.' });
  return undefined;
}

/** A signed PUT as the page receives it: the URL, the headers to send as they are, and when it stops working. */
export function sendSigned(res: ServerResponse, signed: SignedRequest, now: Date, seconds: number): void {
  sendJson(res, 200, {
    url: signed.url,
    method: 'PUT',
    headers: signed.headers,
    expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
  });
}

/** The link is open; answers 410 itself (saying how it closed) and returns false when not. */
export function stillOpen(link: PartnerLink, now: Date, res: ServerResponse): boolean {
  const state = linkState(link, now);
  if (state === 'open') return true;
  sendJson(res, 410, { error: state, message: CLOSED_MESSAGES[state] });
  return false;
}

const UNAVAILABLE = 'The upload service is temporarily unavailable. Please try again in a few minutes.';

export type Handler = (req: RouteRequest, res: ServerResponse) => Promise<void>;

/**
 * Which limit a request counts against: `link`, the page's own calls (the address's limit and the link's); `parts`,
 * part signing, one request per part of an upload already under way: a per-link budget of its own, so a fast
 * partner is never held back by the address's limit.
 */
export type Budget = 'link' | 'parts';

/** What every handler shares: the deps, the rate limits, link lookup, and the page's CSP. */
export interface RouteContext {
  readonly deps: PartnerDeps;
  /** Counts the request; answers 429 itself and returns false when over a limit. */
  allowed(
    req: RouteRequest,
    res: ServerResponse,
    id: string | undefined,
    html: boolean,
    budget?: Budget,
  ): Promise<boolean>;
  /** The link for a request, or undefined after answering 404 (unknown and malformed ids look the same). */
  findLink(id: string | undefined, res: ServerResponse, html: boolean): Promise<PartnerLink | undefined>;
  csp(): Promise<string>;
}

function routeContext(deps: PartnerDeps): RouteContext {
  return {
    deps,
    async allowed(req, res, id, html, budget = 'link') {
      if (budget === 'parts' && id !== undefined) {
        if (!LINK_ID.test(id) || (await deps.limits.parts.take(id))) return true;
      } else {
        // The address first; a link is counted only for an address within its limit and an id that could be one,
        // so no one can fill the counters with made-up link ids.
        const okAddress = await deps.limits.address.take(clientAddress(req, deps.trustProxy));
        const okLink = !okAddress || id === undefined || !LINK_ID.test(id) || (await deps.limits.link.take(id));
        if (okAddress && okLink) return true;
      }
      if (html) sendHtml(res, 429, renderRateLimited(), { 'retry-after': '60' });
      else sendJson(res, 429, { error: 'rate-limited', message: 'Too many attempts. Wait a minute and try again.' });
      return false;
    },
    async findLink(id, res, html) {
      const found = id !== undefined && LINK_ID.test(id) ? await deps.store.links.get(id) : undefined;
      // A link made without PUBLIC_URL has no page, even if one is configured later.
      const link = found?.page ? found : undefined;
      if (link === undefined) {
        if (html) sendHtml(res, 404, renderNotFound());
        else sendJson(res, 404, { error: 'not-found', message: 'This upload link does not exist.' });
      }
      return link;
    },
    async csp() {
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
    },
  };
}

/** GET /u/:id: the page, or its closed state (410). */
const page =
  (ctx: RouteContext): Handler =>
  async (req, res) => {
    if (!(await ctx.allowed(req, res, undefined, true))) return;
    const link = await ctx.findLink(routeParam(req, 'id'), res, true);
    if (!link) return;
    const state = linkState(link, ctx.deps.now());
    const place =
      link.channelName === 'directmessage'
        ? `a direct message in ${link.teamName}`
        : `#${link.channelName} in ${link.teamName}`;
    const html = renderPage({
      id: link.id,
      filename: link.filename,
      place,
      expiresAt: link.expiresAt,
      state,
      limits: await currentLimits(ctx.deps.store, link),
      ceilingBytes: pageCeiling(ctx.deps),
      multipartThresholdBytes: ctx.deps.multipart ? MULTIPART_THRESHOLD_BYTES : undefined,
    });
    sendHtml(res, state === 'open' ? 200 : 410, html, { 'content-security-policy': await ctx.csp() });
  };

/**
 * POST /u/:id/sign {name, size, md5}: a PUT signed for exactly that body: its length, its Content-MD5, the type and
 * disposition the link fixes, and (single-use links) `If-None-Match: *`, so S3 writes the key at most once.
 */
const sign = (ctx: RouteContext): Handler =>
  linkRoute(ctx, async (link, body, _req, res) => {
    const { deps } = ctx;
    const now = deps.now();
    if (!stillOpen(link, now, res)) return;
    const file = chosenFile(body, res);
    if (!file) return;
    if (!(await fileAllowed(deps, link, file, MAX_PUT_BYTES, res))) return;
    const md5 = typeof body?.md5 === 'string' ? body.md5 : '';
    if (!CONTENT_MD5.test(md5)) {
      return sendJson(res, 400, { error: 'bad-request', message: "The file's checksum is missing. Reload the page." });
    }
    const seconds = signatureSeconds(link, now);
    const exact = { length: file.size, contentMd5: md5, onlyIfAbsent: link.singleUse, ...storedAsFor(link) };
    sendSigned(res, await deps.objects.signExactPut(link.key, exact, seconds, now), now, seconds);
  });

/** POST /u/:id/complete: HeadObject confirms the arrival; the channel is told once per object. */
const complete = (ctx: RouteContext): Handler =>
  linkRoute(ctx, async (link, _body, _req, res) => {
    const { deps } = ctx;
    const state = linkState(link, deps.now());
    // A single-use link that just received its file is 'used' now; completing it again is still fine.
    if (state === 'revoked' || (state === 'expired' && link.uploads === 0)) {
      // A PUT signed before the revoke may still have landed: it is recorded (as after revoke), then the page hears 410.
      const landed = state === 'revoked' ? await deps.objects.head(link.key) : undefined;
      if (landed !== undefined) await recordArrival(deps.arrivals, link, landed, 'page');
      return sendJson(res, 410, { error: state, message: CLOSED_MESSAGES[state] });
    }
    const stored = await deps.objects.head(link.key);
    if (stored === undefined) {
      return sendJson(res, 409, {
        error: 'not-uploaded',
        message: "The file hasn't arrived yet. Try the upload again.",
      });
    }
    const result = await recordArrival(deps.arrivals, link, stored, 'page');
    sendJson(res, 200, {
      ok: true,
      size: stored.size,
      contentType: stored.contentType,
      etag: stored.etag,
      repeated: !result.first,
    });
  });

/** The one place a route's failure becomes an answer: the store being down is a 503; anything else is a bug. */
const guarded =
  (logger: Logger, html: boolean, handler: Handler): CustomRoute['handler'] =>
  (req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (isStoreUnavailable(error)) logger.error(`Partner page: ${error.message}`);
      else logger.error('Partner page request failed:', error);
      if (res.headersSent) return;
      if (html) sendHtml(res, 503, `<!doctype html><title>Unavailable</title><p>${UNAVAILABLE}</p>`);
      else sendJson(res, 503, { error: 'unavailable', message: UNAVAILABLE });
    });
  };

const asset =
  (type: string, body: string): CustomRoute['handler'] =>
  (_req, res) =>
    send(res, 200, type, body, { 'cache-control': 'public, max-age=300' });

export function createPartnerRoutes(deps: PartnerDeps): CustomRoute[] {
  const ctx = routeContext(deps);
  const { logger } = deps;
  const js = 'text/javascript; charset=utf-8';
  return [
    { path: '/assets/partner.js', method: ['GET'], handler: asset(js, deps.assets.js) },
    { path: '/assets/partner-md5-worker.js', method: ['GET'], handler: asset(js, deps.assets.md5Worker) },
    { path: '/assets/partner.css', method: ['GET'], handler: asset('text/css; charset=utf-8', deps.assets.css) },
    { path: '/u/:id', method: ['GET'], handler: guarded(logger, true, page(ctx)) },
    { path: '/u/:id/sign', method: ['POST'], handler: guarded(logger, false, sign(ctx)) },
    { path: '/u/:id/complete', method: ['POST'], handler: guarded(logger, false, complete(ctx)) },
    ...multipartRoutes(ctx).map(({ path, method, handler }) => ({
      path,
      method: [method],
      handler: guarded(logger, false, handler),
    })),
  ];
}
