/**
 * The partner page's server side against a real S3 (the run's Ceph RGW: ListParts, Abort, Content-MD5 and
 * `If-None-Match` are real there, not in s3rver), over real HTTP: the bot's routes, the URLs they sign, S3 itself
 * refusing what they do not allow. (The page driving these routes in Chromium: multipart-browser.test.ts.)
 */
import { createHash } from 'node:crypto';
import { UploadPartCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { MiB, MULTIPART_THRESHOLD_BYTES, PART_BYTES } from '../../src/core/multipart.js';
import { RATE_LIMITS } from '../../src/partner/rate-limit.js';
import { PAGE_SIGNATURE_SECONDS } from '../../src/partner/routes.js';
import { ADMIN, ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { fileBytes, partnerId, promisedKey } from '../support/partner-page.js';
import { hasRgw, RGW_SKIP_REASON, type RgwS3, startRgwS3 } from '../support/rgw-s3.js';

const PUBLIC_URL = 'https://upload.example.com';
const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('base64');

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(app: TestApp, method: string, path: string, body?: object): Promise<Answer> {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const signedHeaders = (url: unknown) => new URL(String(url)).searchParams.get('X-Amz-SignedHeaders');

/** Each test moves a hundred MiB or more through the bot's routes to RGW: seconds alone, more in a full run. */
const SLOW = { timeout: 120_000 };

describe.skipIf(!hasRgw())(
  `multipart through the partner routes, on Ceph RGW${hasRgw() ? '' : ` (${RGW_SKIP_REASON})`}`,
  SLOW,
  () => {
    let app: TestApp | undefined;
    let s3: RgwS3 | undefined;
    afterEach(async () => {
      const [running, bucket] = [app, s3];
      app = undefined;
      s3 = undefined;
      await running?.close();
      await bucket?.close();
    }, SLOW.timeout);

    async function start(options: { sweepIntervalMs?: number } = {}) {
      s3 = await startRgwS3();
      app = await startTestApp({ s3, credentials: s3.credentials, env: { PUBLIC_URL }, ...options });
      app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1' }));
      return { app, s3 };
    }

    async function newLink(running: TestApp, bucket: string, text = 'footage.mov') {
      const reply = await running.command({ text, user_id: ALLOWED, channel_id: 'C0ACME', channel_name: 'acme' });
      return { id: partnerId(reply), key: promisedKey(reply, bucket) };
    }

    /** Sign part n for `bytes` and PUT it as the page does; the S3 answer's status. */
    async function sendPart(running: TestApp, id: string, uploadId: string, n: number, bytes: Buffer, body = bytes) {
      const signed = await call(running, 'POST', `/u/${id}/multipart/${uploadId}/parts/${n}`, { md5: md5(bytes) });
      expect(signed.status).toBe(200);
      const headers = signed.body.headers as Record<string, string>;
      const put = await fetch(String(signed.body.url), { method: 'PUT', headers, body });
      return { status: put.status, text: await put.text(), signed };
    }

    const partOf = (bytes: Buffer, n: number) => bytes.subarray((n - 1) * PART_BYTES, n * PART_BYTES);

    it('a file in parts arrives byte-identical at the promised key, typed by the link, announced once with its ETag', async () => {
      const { app, s3 } = await start();
      const { id, key } = await newLink(app, s3.bucket);
      const bytes = fileBytes(MULTIPART_THRESHOLD_BYTES + 1);

      const small = await call(app, 'POST', `/u/${id}/multipart`, { name: 'x.mov', size: MULTIPART_THRESHOLD_BYTES });
      expect(small).toMatchObject({ status: 400, body: { error: 'single' } });
      const created = await call(app, 'POST', `/u/${id}/multipart`, { name: 'Footage (cut).html', size: bytes.length });
      expect(created).toEqual({
        status: 200,
        body: { uploadId: expect.any(String), partSize: PART_BYTES, partCount: 2 },
      });
      const uploadId = String(created.body.uploadId);

      const first = await sendPart(app, id, uploadId, 1, partOf(bytes, 1));
      expect(first.status).toBe(200);
      const url = new URL(String(first.signed.body.url));
      expect(signedHeaders(url)).toBe('content-length;content-md5;host');
      expect(url.searchParams.get('X-Amz-Expires')).toBe(String(PAGE_SIGNATURE_SECONDS));
      expect(first.signed.body.headers).toEqual({ 'Content-MD5': md5(partOf(bytes, 1)) });

      // Completing before every part is there: the bot says which are missing and completes nothing.
      const early = await call(app, 'POST', `/u/${id}/multipart/${uploadId}/complete`);
      expect(early).toMatchObject({ status: 409, body: { error: 'parts-missing', missing: [2] } });
      const listed = await call(app, 'GET', `/u/${id}/multipart/${uploadId}/parts`);
      expect(listed.body.parts).toEqual([{ partNumber: 1, size: PART_BYTES, etag: expect.any(String) }]);

      expect((await sendPart(app, id, uploadId, 2, partOf(bytes, 2))).status).toBe(200);
      const done = await call(app, 'POST', `/u/${id}/multipart/${uploadId}/complete`);
      expect(done).toMatchObject({ status: 200, body: { ok: true, size: bytes.length, repeated: false } });
      const etag = String(done.body.etag);
      expect(etag).toMatch(/^"[0-9a-f]{32}-2"$/);

      expect((await s3.getObject(key))?.equals(bytes)).toBe(true);
      const head = await s3.head(key);
      // The link is for footage.mov: that decides the stored type and name, not what the partner's file was called.
      expect(head?.ContentType).toBe('video/quicktime');
      expect(head?.ContentDisposition).toBe("attachment; filename*=UTF-8''footage.mov");
      expect(await s3.openUploads()).toEqual([]);

      const post = await app.slack.waitForCall('chat.postMessage');
      expect(String(post.args.text)).toContain(`*footage.mov* (100 MB) has arrived`);
      expect(String(post.args.text)).toContain(`ETag \`${etag.replaceAll('"', '')}\``);
      const again = await call(app, 'POST', `/u/${id}/multipart/${uploadId}/complete`);
      expect(again).toMatchObject({ status: 200, body: { repeated: true, etag } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(app.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
      const [uploaded] = await app.store.audit.list({ action: 'link.uploaded', limit: 5 });
      expect(uploaded?.detail).toMatchObject({
        size: bytes.length,
        etag: etag.replaceAll('"', ''),
        contentType: 'video/quicktime',
      });
    });

    it('S3 refuses a part of another length (a lie about the size) or other bytes (Content-MD5); both can be sent again', async () => {
      const { app, s3 } = await start();
      const { id } = await newLink(app, s3.bucket);
      const bytes = fileBytes(MULTIPART_THRESHOLD_BYTES + 5 * MiB);
      const uploadId = String(
        (await call(app, 'POST', `/u/${id}/multipart`, { name: 'f.mov', size: bytes.length })).body.uploadId,
      );
      const last = bytes.subarray(PART_BYTES);

      const longer = await sendPart(app, id, uploadId, 2, last, Buffer.concat([last, Buffer.from('x')]));
      expect(longer.status).toBe(403);
      const corrupted = Buffer.from(last);
      corrupted[1000] = (corrupted[1000] ?? 0) ^ 0xff;
      const bad = await sendPart(app, id, uploadId, 2, last, corrupted);
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<Code>BadDigest</Code>');
      expect((await call(app, 'GET', `/u/${id}/multipart/${uploadId}/parts`)).body.parts).toEqual([]);
      expect((await sendPart(app, id, uploadId, 2, last)).status).toBe(200);

      // Part numbers outside the plan are not signed at all.
      for (const n of [0, 3, 10_001]) {
        const answer = await call(app, 'POST', `/u/${id}/multipart/${uploadId}/parts/${n}`, { md5: md5('x') });
        expect(answer.status).toBe(400);
      }
    });

    it('a link touches only its own upload; unknown and malformed upload ids are 404', async () => {
      const { app, s3 } = await start();
      const mine = await newLink(app, s3.bucket, 'a.mov');
      const theirs = await newLink(app, s3.bucket, 'b.mov');
      const size = MULTIPART_THRESHOLD_BYTES + 1;
      const uploadId = String(
        (await call(app, 'POST', `/u/${mine.id}/multipart`, { name: 'a.mov', size })).body.uploadId,
      );
      const paths = [
        ['POST', `/u/${theirs.id}/multipart/${uploadId}/parts/1`],
        ['GET', `/u/${theirs.id}/multipart/${uploadId}/parts`],
        ['POST', `/u/${theirs.id}/multipart/${uploadId}/complete`],
        ['DELETE', `/u/${theirs.id}/multipart/${uploadId}`],
        ['GET', `/u/${mine.id}/multipart/not-an-upload/parts`],
      ] as const;
      for (const [method, path] of paths) {
        const answer = await call(app, method, path, method === 'POST' ? { md5: md5('x') } : undefined);
        expect(answer).toMatchObject({ status: 404, body: { error: 'no-such-upload' } });
      }
      expect(await s3.openUploads()).toEqual([{ key: mine.key, uploadId }]);
      const bad = await fetch(`${app.baseUrl}/u/${mine.id}/multipart/%/parts`);
      expect(bad.status).toBe(404);
      expect(app.logs.filter((line) => line.includes('ERROR'))).toEqual([]);
    });

    it('parts that do not add up to the declared size, or a size over the channel limit: the upload is aborted', async () => {
      const { app, s3 } = await start();
      const { id, key } = await newLink(app, s3.bucket);
      const size = MULTIPART_THRESHOLD_BYTES + 1;
      const uploadId = String((await call(app, 'POST', `/u/${id}/multipart`, { name: 'f.mov', size })).body.uploadId);
      // A part the bot never signed, written with the bucket's own credentials: 10 MiB where 64 MiB were planned.
      await s3.fresh.client.send(
        new UploadPartCommand({
          Bucket: s3.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: 1,
          Body: fileBytes(10 * MiB),
        }),
      );
      const refused = await call(app, 'POST', `/u/${id}/multipart/${uploadId}/complete`);
      expect(refused).toMatchObject({ status: 400, body: { error: 'size-mismatch' } });
      expect(await s3.openUploads()).toEqual([]);
      expect(await s3.head(key)).toBeUndefined();
      expect((await call(app, 'POST', `/u/${id}/multipart/${uploadId}/parts/1`, { md5: md5('x') })).status).toBe(404);

      // The admin tightens the channel's limit while a complete file is in parts: completing refuses and aborts.
      const next = await newLink(app, s3.bucket, 'g.mov');
      const bytes = fileBytes(size);
      const second = String(
        (await call(app, 'POST', `/u/${next.id}/multipart`, { name: 'g.mov', size })).body.uploadId,
      );
      for (const n of [1, 2]) expect((await sendPart(app, next.id, second, n, partOf(bytes, n))).status).toBe(200);
      await app.command({ text: 'settings max-size=100MB', user_id: ADMIN, channel_id: 'C0ACME' });
      const tooLarge = await call(app, 'POST', `/u/${next.id}/multipart/${second}/complete`);
      expect(tooLarge).toMatchObject({ status: 400, body: { error: 'too-large' } });
      expect(await s3.openUploads()).toEqual([]);
      expect(await s3.head(next.key)).toBeUndefined();
    });

    it('a single-use link: its PUT carries a signed If-None-Match, so S3 writes the key once (412 after)', async () => {
      const { app, s3 } = await start();
      const { id, key } = await newLink(app, s3.bucket, 'once.csv 2h once');
      const sign = (body: string) =>
        call(app, 'POST', `/u/${id}/sign`, { name: 'once.csv', size: body.length, md5: md5(body) });
      const first = await sign('a,b');
      const second = await sign('c,d'); // signed at once, before anything arrived
      expect(signedHeaders(first.body.url)).toBe(
        'content-disposition;content-length;content-md5;content-type;host;if-none-match',
      );
      const put = (signed: Answer, body: string) =>
        fetch(String(signed.body.url), { method: 'PUT', headers: signed.body.headers as Record<string, string>, body });
      expect((await put(first, 'a,b')).status).toBe(200);
      expect((await put(second, 'c,d')).status).toBe(412);
      expect((await put(first, 'a,b')).status).toBe(412); // the same URL again
      expect((await call(app, 'POST', `/u/${id}/complete`)).status).toBe(200);
      expect((await s3.getObject(key))?.toString()).toBe('a,b');
      expect((await s3.head(key))?.ContentType).toBe('text/csv');
      expect((await sign('e,f')).body.error).toBe('used');
    });

    it('a single-use link with two uploads in parts: the first completion wins, the second is refused and aborted', async () => {
      const { app, s3 } = await start();
      const { id, key } = await newLink(app, s3.bucket, 'once.mov 2h once');
      const size = MULTIPART_THRESHOLD_BYTES + 1;
      const a = fileBytes(size);
      const b = Buffer.from(a).reverse();
      const create = async () =>
        String((await call(app, 'POST', `/u/${id}/multipart`, { name: 'o.mov', size })).body.uploadId);
      const [first, second] = [await create(), await create()];
      for (const n of [1, 2]) {
        expect((await sendPart(app, id, first, n, partOf(a, n))).status).toBe(200);
        expect((await sendPart(app, id, second, n, partOf(b, n))).status).toBe(200);
      }
      expect((await call(app, 'POST', `/u/${id}/multipart/${first}/complete`)).status).toBe(200);
      expect((await call(app, 'POST', `/u/${id}/multipart/${second}/complete`)).status).toBe(410);
      expect((await s3.getObject(key))?.equals(a)).toBe(true);
    });

    it('revoked: nothing more is signed, and the sweep aborts the open upload in S3; Cancel aborts too', async () => {
      const { app, s3 } = await start({ sweepIntervalMs: 100 });
      const { id } = await newLink(app, s3.bucket);
      const size = MULTIPART_THRESHOLD_BYTES + 1;
      const bytes = fileBytes(size);
      const uploadId = String((await call(app, 'POST', `/u/${id}/multipart`, { name: 'f.mov', size })).body.uploadId);
      expect((await sendPart(app, id, uploadId, 1, partOf(bytes, 1))).status).toBe(200);
      await app.command({ text: `revoke ${id}`, user_id: ALLOWED });
      const refused = await call(app, 'POST', `/u/${id}/multipart/${uploadId}/parts/2`, { md5: md5(partOf(bytes, 2)) });
      expect(refused).toMatchObject({ status: 410, body: { error: 'revoked' } });
      // 410 for the revoked link, or 404 once the sweep (every 100 ms here) has aborted the upload.
      expect([404, 410]).toContain((await call(app, 'POST', `/u/${id}/multipart/${uploadId}/complete`)).status);
      for (let i = 0; i < 100 && (await s3.openUploads()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await s3.openUploads()).toEqual([]);
      expect((await app.store.uploads.get(id, uploadId))?.state).toBe('aborted');

      const other = await newLink(app, s3.bucket, 'g.mov');
      const cancelled = String(
        (await call(app, 'POST', `/u/${other.id}/multipart`, { name: 'g.mov', size })).body.uploadId,
      );
      expect(await s3.openUploads()).toHaveLength(1);
      expect(await call(app, 'DELETE', `/u/${other.id}/multipart/${cancelled}`)).toEqual({
        status: 200,
        body: { ok: true },
      });
      expect(await s3.openUploads()).toEqual([]);
      expect((await call(app, 'GET', `/u/${other.id}/multipart/${cancelled}/parts`)).status).toBe(404);
    });

    it('the stored type and disposition follow the link, never the name the partner sends (single PUT)', async () => {
      const { app, s3 } = await start();
      const { id, key } = await newLink(app, s3.bucket, '"Q3 résumé «final».pdf"');
      const body = '<script>alert(1)</script>';
      const signed = await call(app, 'POST', `/u/${id}/sign`, {
        name: 'a.html',
        size: body.length,
        type: 'text/html',
        md5: md5(body),
      });
      expect((signed.body.headers as Record<string, string>)['Content-Type']).toBe('application/pdf');
      const headers = { ...(signed.body.headers as Record<string, string>), 'Content-Type': 'text/html' };
      expect((await fetch(String(signed.body.url), { method: 'PUT', headers, body })).status).toBe(403);
      const sent = await fetch(String(signed.body.url), {
        method: 'PUT',
        headers: signed.body.headers as Record<string, string>,
        body,
      });
      expect(sent.status).toBe(200);
      const head = await s3.head(key);
      expect(head?.ContentType).toBe('application/pdf');
      expect(head?.ContentDisposition).toBe(
        "attachment; filename*=UTF-8''Q3%20r%C3%A9sum%C3%A9%20%C2%ABfinal%C2%BB.pdf",
      );
      // Unknown extensions are stored as a generic type.
      const other = await newLink(app, s3.bucket, 'data.zzq');
      const generic = await call(app, 'POST', `/u/${other.id}/sign`, { name: 'data.html', size: 1, md5: md5('x') });
      expect((generic.body.headers as Record<string, string>)['Content-Type']).toBe('application/octet-stream');
    });

    it('signing parts has its own budget per link: a fast upload is never held back by the per-address limit', async () => {
      const { app, s3 } = await start();
      const { id } = await newLink(app, s3.bucket);
      const created = await call(app, 'POST', `/u/${id}/multipart`, {
        name: 'x.mov',
        size: MULTIPART_THRESHOLD_BYTES + 1,
      });
      const uploadId = String(created.body.uploadId);
      const md5Of = md5(fileBytes(PART_BYTES));
      // More part signatures than the address may make requests a minute: all signed.
      const statuses: number[] = [];
      for (let i = 0; i < RATE_LIMITS.perAddressPerMinute + 10; i++) {
        statuses.push((await call(app, 'POST', `/u/${id}/multipart/${uploadId}/parts/1`, { md5: md5Of })).status);
      }
      expect(statuses.every((status) => status === 200)).toBe(true);
      // And the page itself still opens: part signing did not use up the address's budget.
      expect((await fetch(`${app.baseUrl}/u/${id}`)).status).toBe(200);
    });
  },
);
