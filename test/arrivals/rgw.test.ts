/**
 * The whole arrival path against a real S3 implementation: the bot signs for Ceph RGW (the run's gateway, see
 * test/support/rgw.ts), RGW's own bucket notification pushes its S3 event records to the bot's
 * `/s3/events/<token>` (a topic with that push endpoint), and the partner uploads with the reply's exact curl line.
 * Skipped, with a message from the global setup, where RGW is absent (required in CI: UPLOAD_LINK_TEST_REQUIRE_RGW).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { curlLineFromReply, runCurlLine } from '../support/curl.js';
import { promisedKey } from '../support/partner-page.js';
import {
  createRgwTopic,
  type FreshBucket,
  freshRgwBucket,
  hasRgw,
  notifyOnObjectCreated,
  type RgwTopic,
  rgwTargetOrThrow,
} from '../support/rgw.js';

const TOKEN = 'rgw-events-token-0123456789abcdef0123456789';
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

describe.skipIf(!hasRgw())('arrivals pushed by Ceph RGW to /s3/events/<token>', () => {
  let bucket: FreshBucket;
  let app: TestApp;
  let topic: RgwTopic | undefined;

  beforeEach(async () => {
    const target = rgwTargetOrThrow();
    bucket = await freshRgwBucket(target, 'arrivals');
    app = await startTestApp({
      env: {
        S3_BUCKET: bucket.name,
        S3_ENDPOINT: target.endpoint,
        AWS_REGION: target.region,
        S3_FORCE_PATH_STYLE: 'true',
        S3_EVENTS_TOKEN: TOKEN,
      },
      credentials: { ...target.credentials },
      arrivalTickMs: 0,
    });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
  });
  afterEach(async () => {
    await topic?.delete();
    topic = undefined;
    await app?.close();
    await bucket?.drop();
  });

  async function pushTo(path: string) {
    const target = rgwTargetOrThrow();
    topic = await createRgwTopic(target, { pushEndpoint: `${app.baseUrl}${path}` });
    await notifyOnObjectCreated(bucket.client, bucket.name, topic.arn);
  }
  const posts = () => app.slack.calls.filter((c) => c.method === 'chat.postMessage');

  it("the reply's curl line → exactly one channel message naming the file; again → replaced", async () => {
    await pushTo(`/s3/events/${TOKEN}`);
    const reply = await app.command({ text: '"Site plan (rev B).pdf" 2h', user_id: ALLOWED, channel_id: 'C0ACME' });
    const line = curlLineFromReply(reply.json);

    const started = performance.now();
    expect(await runCurlLine(line, 'Site plan (rev B).pdf', '%PDF-1.7 first')).toBe(200);
    const first = await app.slack.waitForCall('chat.postMessage');
    const announcedAfterMs = performance.now() - started;
    expect(first.args.channel).toBe('C0ACME');
    expect(String(first.args.text)).toMatch(
      /^:inbox_tray: \*Site plan \(rev B\)\.pdf\* \(14 B\) has arrived through <@U0ALICE>/,
    );
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(1);

    const before = app.slack.calls.length;
    expect(await runCurlLine(line, 'Site plan (rev B).pdf', '%PDF-1.7 second, longer')).toBe(200);
    const second = await app.slack.waitForCall('chat.postMessage', { after: before });
    expect(String(second.args.text)).toContain(
      '*Site plan (rev B).pdf* (23 B) has arrived again and replaced the earlier file',
    );
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(2);
    const audit = await app.store.audit.list({ action: 'link.uploaded', limit: 5 });
    expect(audit.map((e) => [e.detail.source, e.detail.replaced ?? false])).toEqual([
      ['event', true],
      ['event', false],
    ]);

    // For a person to read (git-ignored): how long from curl's start to the channel message.
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(join(ARTIFACTS, 'rgw-arrival.json'), `${JSON.stringify({ announcedAfterMs }, null, 2)}\n`);
  });

  it("a once link's curl line: one arrival; the same line again is refused by S3 (412) and nothing more is posted", async () => {
    await pushTo(`/s3/events/${TOKEN}`);
    const reply = await app.command({ text: 'invoice.pdf once', user_id: ALLOWED, channel_id: 'C0ACME' });
    const line = curlLineFromReply(reply.json);
    expect(line).toContain(`-H 'If-None-Match: *'`);
    expect(await runCurlLine(line, 'invoice.pdf', '%PDF-1.7 the one')).toBe(200);
    await app.slack.waitForCall('chat.postMessage');

    await expect(runCurlLine(line, 'invoice.pdf', '%PDF-1.7 an overwrite')).rejects.toMatchObject({
      stdout: expect.stringContaining('412'),
    });
    // RGW 16.2 notifies the refused write all the same (its size and ETag): the bot knows better than to believe it.
    expect(app.logs.join('\n')).toContain('S3 refused that write (it is signed If-None-Match), so it is ignored');
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(1);
    const stored = await bucket.client.send(
      new GetObjectCommand({ Bucket: bucket.name, Key: promisedKey(reply, bucket.name) }),
    );
    expect(await stored.Body?.transformToString()).toBe('%PDF-1.7 the one');
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(1);
  });

  it('a PUT that S3 refuses for its bytes (BadDigest) is not announced', async () => {
    await pushTo(`/s3/events/${TOKEN}`);
    const reply = await app.command({ text: 'scan.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    const wrongMd5 = createHash('md5').update('other bytes').digest('base64');
    const line = `${curlLineFromReply(reply.json)} -H 'Content-MD5: ${wrongMd5}'`;
    await expect(runCurlLine(line, 'scan.pdf', '%PDF-1.7 sent')).rejects.toMatchObject({
      stdout: expect.stringContaining('400'),
    });
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(0);
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(0);
  });

  it('a topic pushing with a wrong token gets 404: the upload succeeds and nothing is posted', async () => {
    await pushTo(`/s3/events/${TOKEN.slice(0, -4)}nope`);
    const reply = await app.command({ text: 'report.pdf', user_id: ALLOWED });
    // RGW pushes during the PUT and answers it after: once curl is done, the bot has answered the push.
    expect(await runCurlLine(curlLineFromReply(reply.json), 'report.pdf', 'bytes')).toBe(200);
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(0);
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(0);
    expect(app.logs.join('\n')).toContain('POST /s3/events/… with a wrong token: answered 404');
  });
});
