/**
 * S3_SSE on a bucket that encrypts: every upload the bot signs carries the encryption headers, signed, and the object
 * is stored encrypted: the raw URL (through the reply's own curl line, run by curl), the page's single PUT and its
 * multipart create. On a Ceph RGW cluster of this file's own, configured for SSE-KMS with its "testing" key backend
 * (RGW 16.2 has no SSE-S3, so AES256 cannot be shown stored encrypted here; the headers it signs are the same shape).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MULTIPART_THRESHOLD_BYTES, PART_BYTES } from '../../src/core/multipart.js';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { fileBytes, partnerId, promisedKey } from '../support/partner-page.js';
import { createRgwClient, freshRgwBucket, putBucketCors } from '../support/rgw.js';
import { findRgwBinaries, type RgwCluster, startRgwCluster } from '../support/rgw-cluster.js';
import { targetOnly } from '../support/rgw-s3.js';

const binaries = findRgwBinaries().binaries;
const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('base64');
const KEY_ID = 'testkey-1';

/** The reply's "Upload from a terminal" line, as Slack shows it. */
function curlLine(reply: { json: Record<string, unknown> | undefined }): string {
  const texts = JSON.stringify(reply.json).match(/"text":"curl [^"]*(?:\\"[^"]*)*"/g) ?? [];
  const line = texts[0];
  if (line === undefined) throw new Error('no curl line in the reply');
  return JSON.parse(`{${line}}`).text;
}

describe.skipIf(binaries === undefined)(
  'S3_SSE=aws:kms: every signed upload is stored encrypted (own RGW cluster)',
  () => {
    let cluster: RgwCluster;
    let app: TestApp;
    let client: S3Client;
    let bucketName: string;
    let drop: () => Promise<void>;
    let dir: string;

    beforeAll(async () => {
      if (binaries === undefined) throw new Error('unreachable: guarded by skipIf');
      const key = createHash('sha256').update(KEY_ID).digest('base64');
      cluster = await startRgwCluster(binaries, {
        gatewaySettings: {
          rgw_crypt_require_ssl: 'false',
          rgw_crypt_s3_kms_backend: 'testing',
          rgw_crypt_s3_kms_encryption_keys: `${KEY_ID}=${key}`,
        },
      });
      const bucket = await freshRgwBucket(cluster, 'sse');
      await putBucketCors(bucket.client, bucket.name);
      client = createRgwClient(cluster);
      bucketName = bucket.name;
      drop = () => bucket.drop();
      const s3 = targetOnly(cluster.endpoint, bucket.name);
      app = await startTestApp({
        s3,
        credentials: { ...cluster.credentials },
        env: { PUBLIC_URL: 'https://upload.example.com', S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: KEY_ID },
      });
      app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1' }));
      dir = await mkdtemp(join(tmpdir(), 'upload-link-sse-'));
    }, 90_000);
    afterAll(async () => {
      await app?.close();
      client?.destroy();
      await drop?.();
      await cluster?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const expectEncrypted = async (key: string) => {
      expect(await client.send(new HeadObjectCommand({ Bucket: bucketName, Key: key }))).toMatchObject({
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KEY_ID,
      });
    };

    const post = async (path: string, body: object) => {
      const response = await fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { url: string; headers: Record<string, string>; uploadId: string };
    };

    it('the raw URL: the reply’s curl line sends the signed headers, and that very line uploads', async () => {
      const reply = await app.command({ text: 'ledger.csv', user_id: ALLOWED, channel_id: 'C0ACME' });
      const line = curlLine(reply);
      expect(line).toContain(`-H 'x-amz-server-side-encryption: aws:kms'`);
      expect(line).toContain(`-H 'x-amz-server-side-encryption-aws-kms-key-id: ${KEY_ID}'`);
      const url = /'(http[^']+)'$/.exec(line)?.[1] ?? '';
      expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe(
        'host;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id',
      );
      // Without the headers the URL is refused: they are part of the signature.
      expect((await fetch(url, { method: 'PUT', body: 'a,b' })).status).toBe(403);
      await writeFile(join(dir, 'ledger.csv'), 'a,b\n1,2\n');
      await promisify(execFile)('sh', ['-c', `${line} --silent --show-error`], { cwd: dir });
      await expectEncrypted(promisedKey(reply, bucketName));
    });

    it('a once link’s raw URL writes its key once: the curl line signs If-None-Match, a second upload gets 412', async () => {
      const reply = await app.command({ text: 'tally.csv 1h once', user_id: ALLOWED, channel_id: 'C0ACME' });
      expect(JSON.stringify(reply.json)).toContain('the raw URL below takes one upload until');
      const line = curlLine(reply);
      expect(line).toContain(`-H 'If-None-Match: *'`);
      const url = /'(http[^']+)'$/.exec(line)?.[1] ?? '';
      expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toContain('if-none-match');
      // Without the condition the URL is refused: it is part of the signature.
      const sse = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': KEY_ID };
      expect((await fetch(url, { method: 'PUT', headers: sse, body: 'x' })).status).toBe(403);

      const run = (body: string) =>
        writeFile(join(dir, 'tally.csv'), body).then(() =>
          promisify(execFile)('sh', ['-c', `${line} --silent --show-error`], { cwd: dir }),
        );
      await run('first\n');
      const key = promisedKey(reply, bucketName);
      await expectEncrypted(key);
      await expect(run('second, overwriting\n')).rejects.toMatchObject({
        stdout: expect.stringContaining('PreconditionFailed'),
      });
      const stored = await client.send(new GetObjectCommand({ Bucket: bucketName, Key: key }));
      expect(await stored.Body?.transformToString()).toBe('first\n');
    });

    it('the page: its single PUT and its multipart upload carry the headers and are stored encrypted', async () => {
      const small = await app.command({ text: 'memo.txt', user_id: ALLOWED, channel_id: 'C0ACME' });
      const body = 'encrypted at rest';
      const signed = await post(`/u/${partnerId(small)}/sign`, { name: 'memo.txt', size: body.length, md5: md5(body) });
      expect(signed.headers).toMatchObject({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ID,
      });
      expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body })).status).toBe(200);
      await expectEncrypted(promisedKey(small, bucketName));

      const large = await app.command({ text: 'scan.tiff', user_id: ALLOWED, channel_id: 'C0ACME' });
      const id = partnerId(large);
      const bytes = Buffer.concat([fileBytes(MULTIPART_THRESHOLD_BYTES), randomBytes(10)]);
      const { uploadId } = await post(`/u/${id}/multipart`, { name: 'scan.tiff', size: bytes.length });
      for (const n of [1, 2]) {
        const part = bytes.subarray((n - 1) * PART_BYTES, n * PART_BYTES);
        const sp = await post(`/u/${id}/multipart/${uploadId}/parts/${n}`, { md5: md5(part) });
        expect((await fetch(sp.url, { method: 'PUT', headers: sp.headers, body: part })).status).toBe(200);
      }
      const done = await fetch(`${app.baseUrl}/u/${id}/multipart/${uploadId}/complete`, { method: 'POST' });
      expect(done.status).toBe(200);
      await expectEncrypted(promisedKey(large, bucketName));
    });
  },
);
