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
import type { ServerResponse } from 'node:http';
import type { CustomRoute, Logger } from '@slack/bolt';
import type { ObjectOps } from '../aws/objects.js';
import { type ArrivalDeps, recordArrival } from '../core/arrivals.js';
import { checkFile, contentTypeFor, formatSize, MAX_PUT_BYTES, NO_LIMITS, type UploadLimits } from '../core/limits.js';
import { LINK_ID, linkState } from '../core/links.js';
import type { PartnerLink } from '../core/model.js';
import type { RateLimiter, Store } from '../core/ports.js';
import { isStoreUnavailable } from '../lib/errors.js';
import type { PartnerAssets } from './assets.js';
import { type RouteRequest, readJson, routeParam, send, sendHtml, sendJson } from './http.js';
import { CLOSED_MESSAGES, renderNotFound, renderPage, renderRateLimited } from './page.js';
import { clientAddress } from './rate-limit.js';

/** A signature made at upload time only needs to last until the upload starts. */
export const PAGE_SIGNATURE_SECONDS = 15 * 60;

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
  readonly limits: { readonly address: RateLimiter; readonly link: RateLimiter };
  /** TRUST_PROXY: how many proxies' X-Forwarded-For entries to believe. */
  readonly trustProxy: number;
}

/** The limits that apply now: the channel's current settings (an admin tightening them applies to open links). */
async function currentLimits(store: Store, link: PartnerLink): Promise<UploadLimits> {
  const settings = await store.settings.get(link.channelId);
  if (settings === undefined) return NO_LIMITS;
  return { maxSizeBytes: settings.maxSizeBytes, allowedTypes: settings.allowedTypes };
}

const REFUSALS = {
  'too-large': (limits: UploadLimits) =>
    `This file is too large: this link accepts at most ${formatSize(limits.maxSizeBytes ?? MAX_PUT_BYTES)}.`,
  'wrong-type': (limits: UploadLimits) =>
    `This type of file isn't accepted here: only ${limits.allowedTypes?.join(', ')}.`,
  empty: () => 'This file is empty.',
};

const UNAVAILABLE = 'The upload service is temporarily unavailable. Please try again in a few minutes.';

type Handler = (req: RouteRequest, res: ServerResponse) => Promise<void>;

/** What every handler shares: the deps, the rate limits, link lookup, and the page's CSP. */
interface RouteContext {
  readonly deps: PartnerDeps;
  /** Counts the request; answers 429 itself and returns false when over a limit. */
  allowed(req: RouteRequest, res: ServerResponse, id: string | undefined, html: boolean): Promise<boolean>;
  /** The link for a request, or undefined after answering 404 (unknown and malformed ids look the same). */
  findLink(id: string | undefined, res: ServerResponse, html: boolean): Promise<PartnerLink | undefined>;
  csp(): Promise<string>;
}

function routeContext(deps: PartnerDeps): RouteContext {
  return {
    deps,
    async allowed(req, res, id, html) {
      // The address first; a link is counted only for an address within its limit and an id that could be one,
      // so no one can fill the counters with made-up link ids.
      const okAddress = await deps.limits.address.take(clientAddress(req, deps.trustProxy));
      const okLink = !okAddress || id === undefined || !LINK_ID.test(id) || (await deps.limits.link.take(id));
      if (okAddress && okLink) return true;
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
    });
    sendHtml(res, state === 'open' ? 200 : 410, html, { 'content-security-policy': await ctx.csp() });
  };

/** POST /u/:id/sign: a PUT signed for the chosen file's exact length and type. */
const sign =
  (ctx: RouteContext): Handler =>
  async (req, res) => {
    const { deps } = ctx;
    const id = routeParam(req, 'id');
    if (!(await ctx.allowed(req, res, id, false))) return;
    const body = await readJson(req);
    const link = await ctx.findLink(id, res, false);
    if (!link) return;
    const now = deps.now();
    const state = linkState(link, now);
    if (state !== 'open') return sendJson(res, 410, { error: state, message: CLOSED_MESSAGES[state] });
    const name = typeof body?.name === 'string' ? body.name.slice(0, 1024) : '';
    const size = typeof body?.size === 'number' ? body.size : Number.NaN;
    const browserType = typeof body?.type === 'string' ? body.type.slice(0, 255) : undefined;
    if (body === undefined || name === '' || !Number.isSafeInteger(size)) {
      return sendJson(res, 400, { error: 'bad-request', message: 'Choose a file, then upload it.' });
    }
    const limits = await currentLimits(deps.store, link);
    const check = checkFile({ name, size }, limits);
    if (!check.ok) return sendJson(res, 400, { error: check.reason, message: REFUSALS[check.reason](limits) });
    const contentType = contentTypeFor(name, browserType);
    const seconds = Math.max(
      1,
      Math.min(PAGE_SIGNATURE_SECONDS, Math.floor((link.expiresAt.getTime() - now.getTime()) / 1000)),
    );
    const url = await deps.objects.signExactPut(link.key, { length: size, contentType }, seconds, now);
    sendJson(res, 200, {
      url,
      method: 'PUT',
      headers: { 'Content-Type': contentType },
      expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
    });
  };

/** POST /u/:id/complete: HeadObject confirms the arrival; the channel is told once per object. */
const complete =
  (ctx: RouteContext): Handler =>
  async (req, res) => {
    const { deps } = ctx;
    const id = routeParam(req, 'id');
    if (!(await ctx.allowed(req, res, id, false))) return;
    await readJson(req);
    const link = await ctx.findLink(id, res, false);
    if (!link) return;
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
    sendJson(res, 200, { ok: true, size: stored.size, contentType: stored.contentType, repeated: !result.first });
  };

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
  return [
    { path: '/assets/partner.js', method: ['GET'], handler: asset('text/javascript; charset=utf-8', deps.assets.js) },
    { path: '/assets/partner.css', method: ['GET'], handler: asset('text/css; charset=utf-8', deps.assets.css) },
    { path: '/u/:id', method: ['GET'], handler: guarded(logger, true, page(ctx)) },
    { path: '/u/:id/sign', method: ['POST'], handler: guarded(logger, false, sign(ctx)) },
    { path: '/u/:id/complete', method: ['POST'], handler: guarded(logger, false, complete(ctx)) },
  ];
}
