/**
 * The partner page's multipart routes: files above MULTIPART_THRESHOLD_BYTES go to S3 in parts the bot plans (their
 * size is the bot's, not the page's), each part PUT signed just before it is sent for its exact length and MD5.
 * Every route finds the upload through its link (store/uploads.ts), so a link touches its own upload and no other,
 * and a closed link signs nothing more. Creating, listing, completing and aborting are the bot's own S3 calls.
 *
 * Rate limits: part signing is one request per part (plus one per retry), far more than the page's other calls, so it
 * is counted against a budget of its own (`parts`, per link) through the same `allowed()`.
 */
import type { ServerResponse } from 'node:http';
import { recordArrival } from '../core/arrivals.js';
import { MAX_OBJECT_BYTES } from '../core/limits.js';
import type { PartnerLink } from '../core/model.js';
import { checkParts, type MultipartUpload, partLength, planUpload } from '../core/multipart.js';
import { type RouteRequest, routeParam, sendJson } from './http.js';
import {
  CONTENT_MD5,
  chosenFile,
  currentLimits,
  fileAllowed,
  type Handler,
  linkRoute,
  type PartnerDeps,
  REFUSALS,
  type RouteContext,
  sendSigned,
  signatureSeconds,
  stillOpen,
  storedAsFor,
} from './routes.js';

const NO_SUCH_UPLOAD = { error: 'no-such-upload', message: 'This upload is no longer open. Start it again.' };

/** POST /u/:id/multipart {name, size}: a multipart upload for the link's key, its parts planned by the bot. */
const createUpload = (ctx: RouteContext): Handler =>
  linkRoute(ctx, async (link, body, _req, res) => {
    const { deps } = ctx;
    const now = deps.now();
    if (!stillOpen(link, now, res)) return;
    const file = chosenFile(body, res);
    if (!file) return;
    if (!deps.multipart) {
      return sendJson(res, 400, { error: 'no-multipart', message: 'This storage takes files in one upload only.' });
    }
    if (!(await fileAllowed(deps, link, file, MAX_OBJECT_BYTES, res))) return;
    const plan = planUpload(file.size, { multipart: true });
    if (plan.kind === 'single') {
      return sendJson(res, 400, { error: 'single', message: 'A file this small goes in one upload (/sign).' });
    }
    const storedAs = storedAsFor(link);
    const uploadId = await deps.objects.createMultipart(link.key, storedAs);
    const { size, partSize, partCount } = plan;
    await deps.store.uploads.create({
      uploadId,
      linkId: link.id,
      key: link.key,
      size,
      partSize,
      partCount,
      contentType: storedAs.contentType,
      createdAt: now,
    });
    sendJson(res, 200, { uploadId, partSize, partCount });
  });

/** The upload named in the path, when it is this link's. */
const namedUpload = (ctx: RouteContext, req: RouteRequest, link: PartnerLink) =>
  ctx.deps.store.uploads.get(link.id, routeParam(req, 'upload') ?? '');

/** The link (open) and its open upload named in the path; answers 404/410 itself and returns undefined otherwise. */
async function openUpload(
  ctx: RouteContext,
  req: RouteRequest,
  res: ServerResponse,
  link: PartnerLink,
): Promise<MultipartUpload | undefined> {
  if (!stillOpen(link, ctx.deps.now(), res)) return undefined;
  const upload = await namedUpload(ctx, req, link);
  if (upload?.state !== 'open') {
    sendJson(res, 404, NO_SUCH_UPLOAD);
    return undefined;
  }
  return upload;
}

/** POST /u/:id/multipart/:upload/parts/:n {md5}: part n's PUT, for its planned length and this MD5, for a minute. */
const signPart = (ctx: RouteContext): Handler =>
  linkRoute(
    ctx,
    async (link, body, req, res) => {
      const { deps } = ctx;
      const upload = await openUpload(ctx, req, res, link);
      if (!upload) return;
      const partNumber = Number(routeParam(req, 'n'));
      const length = partLength(upload, partNumber);
      const md5 = typeof body?.md5 === 'string' ? body.md5 : '';
      if (length === undefined || !CONTENT_MD5.test(md5)) {
        return sendJson(res, 400, { error: 'bad-request', message: 'That part is not part of this upload.' });
      }
      const now = deps.now();
      const seconds = signatureSeconds(link, now);
      const part = { partNumber, length, contentMd5: md5 };
      sendSigned(res, await deps.objects.signPart(upload.key, upload.uploadId, part, seconds, now), now, seconds);
    },
    'parts',
  );

/** GET /u/:id/multipart/:upload/parts: what S3 holds already, so a resumed page sends only the rest. */
const listParts = (ctx: RouteContext): Handler =>
  linkRoute(ctx, async (link, _body, req, res) => {
    const { deps } = ctx;
    const upload = await openUpload(ctx, req, res, link);
    if (!upload) return;
    const parts = await deps.objects.listParts(upload.key, upload.uploadId);
    if (parts === undefined) {
      // Gone from S3 (a lifecycle rule, an operator): the page starts over.
      await deps.store.uploads.close(upload.uploadId, 'aborted', deps.now());
      return sendJson(res, 404, NO_SUCH_UPLOAD);
    }
    sendJson(res, 200, { partSize: upload.partSize, partCount: upload.partCount, parts });
  });

type SweepDeps = Pick<PartnerDeps, 'store' | 'objects' | 'now'>;

/** Abort in S3 and in the store: what a bad completion, Cancel and the sweep all end with. */
async function abortUpload({ deps }: { readonly deps: SweepDeps }, upload: MultipartUpload): Promise<void> {
  await deps.objects.abortMultipart(upload.key, upload.uploadId);
  await deps.store.uploads.close(upload.uploadId, 'aborted', deps.now());
}

/** The object after CompleteMultipartUpload: recorded and announced once, as a single PUT's is. */
async function announce(ctx: RouteContext, res: ServerResponse, link: PartnerLink, upload: MultipartUpload) {
  const { deps } = ctx;
  const stored = await deps.objects.head(upload.key);
  if (stored === undefined) return sendJson(res, 404, NO_SUCH_UPLOAD);
  await deps.store.uploads.close(upload.uploadId, 'completed', deps.now());
  const result = await recordArrival(deps.arrivals, link, stored, 'page');
  sendJson(res, 200, {
    ok: true,
    size: stored.size,
    contentType: stored.contentType,
    etag: stored.etag,
    repeated: !result.first,
  });
}

/**
 * Having claimed the upload: S3's parts against the plan and the channel's limit now, then complete. Parts still
 * missing release the claim (the page sends them and asks again); anything else wrong aborts the upload.
 */
async function completeClaimed(ctx: RouteContext, res: ServerResponse, link: PartnerLink, upload: MultipartUpload) {
  const { deps } = ctx;
  const parts = await deps.objects.listParts(upload.key, upload.uploadId);
  if (parts === undefined) {
    await deps.store.uploads.close(upload.uploadId, 'aborted', deps.now());
    return sendJson(res, 404, NO_SUCH_UPLOAD);
  }
  const check = checkParts(upload, parts);
  if (!check.ok && check.reason === 'missing') {
    await deps.store.uploads.releaseCompletion(upload.uploadId);
    const message = `Parts ${check.missing.slice(0, 10).join(', ')} have not arrived yet.`;
    return sendJson(res, 409, { error: 'parts-missing', message, missing: check.missing });
  }
  if (!check.ok) {
    await abortUpload(ctx, upload);
    const message = `The parts add up to ${check.total} bytes, not the ${upload.size} announced. Start the upload again.`;
    return sendJson(res, 400, { error: 'size-mismatch', message });
  }
  const max = Math.min((await currentLimits(deps.store, link)).maxSizeBytes ?? MAX_OBJECT_BYTES, MAX_OBJECT_BYTES);
  if (check.total > max) {
    await abortUpload(ctx, upload);
    return sendJson(res, 400, { error: 'too-large', message: REFUSALS['too-large'](max) });
  }
  const result = await deps.objects.completeMultipart(upload.key, upload.uploadId, parts, {
    onlyIfAbsent: link.singleUse,
  });
  if (result === 'exists') {
    await abortUpload(ctx, upload);
    return sendJson(res, 410, { error: 'used', message: 'A file has already been uploaded through this link.' });
  }
  // 'no-such-upload': completed by an earlier call whose answer was lost; HeadObject tells.
  return announce(ctx, res, link, upload);
}

/** POST /u/:id/multipart/:upload/complete: the bot checks what S3 holds, completes, and tells the channel once. */
const completeUpload = (ctx: RouteContext): Handler =>
  linkRoute(ctx, async (link, _body, req, res) => {
    const { deps } = ctx;
    const upload = await namedUpload(ctx, req, link);
    if (upload === undefined || upload.state === 'aborted') return sendJson(res, 404, NO_SUCH_UPLOAD);
    // A repeated completion (the first answer was lost) answers as the first did.
    if (upload.state === 'completed') return announce(ctx, res, link, upload);
    if (!stillOpen(link, deps.now(), res)) return;
    if (!(await deps.store.uploads.claimCompletion(link.id, upload.uploadId, link.singleUse))) {
      const now = await deps.store.uploads.get(link.id, upload.uploadId);
      if (now?.state === 'completed') return announce(ctx, res, link, now);
      if (now?.state === 'open') return sendJson(res, 410, { error: 'used', message: 'A file is already on its way.' });
      return sendJson(res, 409, { error: 'busy', message: 'This upload is being completed already.' });
    }
    try {
      await completeClaimed(ctx, res, link, upload);
    } catch (error) {
      await deps.store.uploads.releaseCompletion(upload.uploadId);
      throw error;
    }
  });

/** DELETE /u/:id/multipart/:upload: Cancel. Allowed on a closed link too: ending an upload is always fine. */
const cancelUpload = (ctx: RouteContext): Handler =>
  linkRoute(ctx, async (link, _body, req, res) => {
    const upload = await namedUpload(ctx, req, link);
    if (upload === undefined) return sendJson(res, 404, NO_SUCH_UPLOAD);
    if (upload.state === 'completing' || upload.state === 'completed') {
      return sendJson(res, 409, { error: upload.state, message: 'This upload has been completed.' });
    }
    if (upload.state === 'open') await abortUpload(ctx, upload);
    sendJson(res, 200, { ok: true });
  });

export function multipartRoutes(ctx: RouteContext): { path: string; method: string; handler: Handler }[] {
  return [
    { path: '/u/:id/multipart', method: 'POST', handler: createUpload(ctx) },
    { path: '/u/:id/multipart/:upload/parts/:n', method: 'POST', handler: signPart(ctx) },
    { path: '/u/:id/multipart/:upload/parts', method: 'GET', handler: listParts(ctx) },
    { path: '/u/:id/multipart/:upload/complete', method: 'POST', handler: completeUpload(ctx) },
    { path: '/u/:id/multipart/:upload', method: 'DELETE', handler: cancelUpload(ctx) },
  ];
}

/**
 * Abort the open uploads of links that closed (revoked, expired, used): run by the bot every minute. A part URL
 * signed before the link closed lives at most PAGE_SIGNATURE_SECONDS, so nothing new lands after the next sweeps.
 * The bucket's AbortIncompleteMultipartUpload lifecycle rule is the safety net for anything the bot never saw.
 */
export async function sweepClosedUploads(deps: SweepDeps, limit = 100): Promise<number> {
  const uploads = await deps.store.uploads.openOfClosedLinks(deps.now(), limit);
  for (const upload of uploads) await abortUpload({ deps }, upload);
  return uploads.length;
}
