/**
 * `POST /s3/events/<token>` over real HTTP, fed by real S3 events: the embedded S3 (s3rver) stores what the reply's
 * own curl line uploads and emits its event, which dev/s3-events.ts POSTs to the bot as Ceph RGW or MinIO would.
 * (The same against Ceph RGW itself: rgw.test.ts.)
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventForwarder, forwardS3Events } from '../../dev/s3-events.js';
import { ALLOWED, startTestApp, type TestApp, urlFromReply } from '../support/app.js';
import { curlLineFromReply, runCurlLine } from '../support/curl.js';
import { awsRecord } from '../support/s3-events.js';

const md5 = (text: string) => createHash('md5').update(text).digest('base64');

const TOKEN = 'test-events-token-0123456789abcdef0123456789';
const PUBLIC_URL = 'https://upload.example.com';

const posts = (app: TestApp) => app.slack.calls.filter((c) => c.method === 'chat.postMessage');

async function postEvents(app: TestApp, body: unknown, token = TOKEN) {
  const response = await fetch(`${app.baseUrl}/s3/events/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** The key of the link made last, as the audit trail has it. */
async function lastKey(app: TestApp): Promise<string> {
  const [issued] = await app.store.audit.list({ action: 'link.issued', limit: 1 });
  if (issued === undefined) throw new Error('no link issued');
  return issued.detail.key;
}

describe('S3 events pushed to /s3/events/<token>', () => {
  let app: TestApp;
  let forwarder: EventForwarder | undefined;
  afterEach(async () => {
    forwarder?.stop();
    forwarder = undefined;
    await app?.close();
  });

  async function start(env: Record<string, string> = {}, forward = true) {
    app = await startTestApp({ env: { S3_EVENTS_TOKEN: TOKEN, ...env }, arrivalTickMs: 0 });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
    if (forward) forwarder = forwardS3Events(app.s3.onEvent, `${app.baseUrl}/s3/events/${TOKEN}`);
  }

  it("announces an upload made with the reply's curl line once, and a second upload as replacing it", async () => {
    await start();
    const reply = await app.command({ text: '"Q3 figures.xlsx"', user_id: ALLOWED, channel_id: 'C0ACME' });
    const line = curlLineFromReply(reply.json);
    expect(await runCurlLine(line, 'Q3 figures.xlsx', 'first version')).toBe(200);
    await forwarder?.settled();
    const first = await app.slack.waitForCall('chat.postMessage');
    expect(first.args.channel).toBe('C0ACME');
    expect(String(first.args.text)).toMatch(
      /^:inbox_tray: \*Q3 figures\.xlsx\* \(13 B\) has arrived through <@U0ALICE>/,
    );

    const before = app.slack.calls.length;
    expect(await runCurlLine(line, 'Q3 figures.xlsx', 'second, longer version')).toBe(200);
    await forwarder?.settled();
    const second = await app.slack.waitForCall('chat.postMessage', { after: before });
    expect(String(second.args.text)).toContain(
      '*Q3 figures.xlsx* (22 B) has arrived again and replaced the earlier file',
    );
    await app.arrivals.runOnce();
    expect(posts(app)).toHaveLength(2);

    const audit = await app.store.audit.list({ action: 'link.uploaded', limit: 5 });
    expect(audit.map((e) => [e.detail.source, e.detail.size, e.detail.replaced ?? false])).toEqual([
      ['event', 22, true],
      ['event', 13, false],
    ]);
  });

  it('an event delivered again (the same object) posts nothing new', async () => {
    await start({}, false);
    await app.command({ text: 'report.pdf', user_id: ALLOWED });
    const key = await lastKey(app);
    const body = { Records: [awsRecord(app.s3.bucket, key, { size: 3, eTag: 'abc123', sequencer: '0A1' })] };
    const answers = [await postEvents(app, body), await postEvents(app, body), await postEvents(app, body)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(JSON.parse(answers[0]?.text ?? '')).toMatchObject({ recorded: 1, duplicates: 0 });
    expect(JSON.parse(answers[2]?.text ?? '')).toMatchObject({ recorded: 0, duplicates: 1 });
    await app.slack.waitForCall('chat.postMessage');
    await app.arrivals.runOnce();
    expect(posts(app)).toHaveLength(1);
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(1);
  });

  it('a wrong or missing token gets the bare 404 of an unknown path, and nothing is recorded or posted', async () => {
    await start({}, false);
    await app.command({ text: 'report.pdf', user_id: ALLOWED });
    const key = await lastKey(app);
    const body = { Records: [awsRecord(app.s3.bucket, key, { size: 3, eTag: 'abc' })] };
    const unknownPath = await fetch(`${app.baseUrl}/no/such/path`, { method: 'POST', body: '{}' });
    const expected = { status: 404, text: await unknownPath.text() };
    expect(await postEvents(app, body, `${TOKEN.slice(0, -1)}x`)).toEqual(expected);
    expect(await postEvents(app, body, 'short')).toEqual(expected);
    expect(await postEvents(app, body, '')).toEqual(expected);
    expect((await fetch(`${app.baseUrl}/s3/events`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(404);
    // Bolt logs the path of a request it does not serve: the real token in it is redacted (checked on close).
    expect((await fetch(`${app.baseUrl}/s3/events/${TOKEN}`)).status).toBe(404);
    expect(app.logs.join('\n')).toContain('/s3/events/[redacted]');
    await new Promise((r) => setTimeout(r, 100));
    expect(posts(app)).toHaveLength(0);
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(0);
    expect(app.logs.join('\n')).not.toContain(TOKEN.slice(0, -1));
  });

  it('without S3_EVENTS_TOKEN there is no webhook at all', async () => {
    app = await startTestApp({ arrivalTickMs: 0 });
    expect((await postEvents(app, { Records: [] })).status).toBe(404);
  });

  it('matches AWS-encoded keys (spaces as +, %-escapes); ignores unknown keys, other buckets and other events', async () => {
    await start({}, false);
    await app.command({ text: '"naïve + café 100%.pdf"', user_id: ALLOWED });
    const key = await lastKey(app);
    expect(key).toContain('naïve + café 100%.pdf');
    const removed = { ...awsRecord(app.s3.bucket, key, { size: 1 }), eventName: 'ObjectRemoved:Delete' };
    const body = {
      Records: [
        awsRecord(app.s3.bucket, 'uploads/C0ACME/elsewhere.bin', { size: 1, eTag: 'e1' }),
        awsRecord('another-bucket', key, { size: 1, eTag: 'e2' }),
        removed,
        awsRecord(app.s3.bucket, key, { size: 7, eTag: '"E3"' }),
      ],
    };
    const answer = await postEvents(app, body);
    expect(JSON.parse(answer.text)).toEqual({
      ok: true,
      recorded: 1,
      duplicates: 0,
      unknown: 1,
      writtenOnce: 0,
      ignored: 2,
    });
    const post = await app.slack.waitForCall('chat.postMessage');
    expect(String(post.args.text)).toContain('*naïve + café 100%.pdf* (7 B) has arrived');
    expect(app.logs.join('\n')).toMatch(
      /DEBUG.*S3 event from the webhook for a key no link has: "uploads\/C0ACME\/elsewhere\.bin"/,
    );
  });

  it('Ceph-style raw keys (a literal + and %, not encoded) are matched too', async () => {
    await start({}, false);
    await app.command({ text: '"a+b 100%.csv"', user_id: ALLOWED });
    const key = await lastKey(app);
    const record = awsRecord(app.s3.bucket, key, { size: 2, eTag: 'ff' });
    record.s3.object.key = key;
    record.eventSource = 'ceph:s3';
    expect(JSON.parse((await postEvents(app, { Records: [record] })).text)).toMatchObject({ recorded: 1 });
  });

  it('answers 503 when the store is down, so a sender that retries (SNS, persistent RGW topics) sends again', async () => {
    await start({}, false);
    await app.command({ text: 'down.pdf', user_id: ALLOWED });
    const body = { Records: [awsRecord(app.s3.bucket, await lastKey(app), { size: 1, eTag: 'd0' })] };
    await app.store.close();
    const answer = await postEvents(app, body);
    expect(answer).toEqual({ status: 503, text: '{"error":"unavailable"}' });
    expect(app.logs.join('\n')).toMatch(/ERROR.*S3 events: the access store failed/);
  });

  it('bad bodies get 400 and change nothing', async () => {
    await start({}, false);
    expect((await postEvents(app, 'not json')).status).toBe(400);
    expect((await postEvents(app, '[1,2]')).status).toBe(400);
    expect((await postEvents(app, { Records: 'nope' })).status).toBe(400);
    expect((await postEvents(app, { hello: 'world' })).status).toBe(400);
    expect((await postEvents(app, 'x'.repeat(300 * 1024))).status).toBe(400);
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(0);
  });

  it("a page upload confirmed by /complete makes the page's own S3 event a duplicate", async () => {
    await start({ PUBLIC_URL });
    const reply = await app.command({ text: 'page.pdf', user_id: ALLOWED });
    const id = /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] ?? '';
    const sign = await fetch(`${app.baseUrl}/u/${id}/sign`, {
      method: 'POST',
      body: JSON.stringify({ name: 'page.pdf', size: 4, md5: md5('page') }),
    });
    const signed = (await sign.json()) as { url: string; headers: Record<string, string> };
    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'page' })).status).toBe(200);
    await forwarder?.settled(); // s3rver emits before it answers the PUT: the event is in before /complete
    const done = await fetch(`${app.baseUrl}/u/${id}/complete`, { method: 'POST' });
    expect(await done.json()).toMatchObject({ ok: true, repeated: true });
    await app.slack.waitForCall('chat.postMessage');
    await app.arrivals.runOnce();
    expect(posts(app)).toHaveLength(1);
    const audit = await app.store.audit.list({ action: 'link.uploaded', limit: 5 });
    expect(audit.map((e) => e.detail.source)).toEqual(['event']);
  });

  it('an upload landing after a revoke is audited as arrived after revoke, and the channel is told', async () => {
    await start({ PUBLIC_URL });
    const reply = await app.command({ text: 'late.pdf', user_id: ALLOWED });
    const id = /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] ?? '';
    expect((await app.command({ text: `revoke ${id}`, user_id: ALLOWED })).status).toBe(200);
    // The raw URL is S3's alone: it still uploads after the page is closed.
    expect((await fetch(urlFromReply(reply.json), { method: 'PUT', body: 'late' })).status).toBe(200);
    await forwarder?.settled();
    const post = await app.slack.waitForCall('chat.postMessage');
    expect(String(post.args.text)).toMatch(
      /^:warning: \*late\.pdf\* \(4 B\) has arrived through <@U0ALICE>'s upload link after it was revoked/,
    );
    const [uploaded] = await app.store.audit.list({ action: 'link.uploaded', limit: 1 });
    expect(uploaded?.detail).toMatchObject({ afterRevoke: true, source: 'event' });
    const trail = await app.command({ text: 'audit', user_id: 'U0ADMIN' });
    expect(trail.body).toContain('arrived after revoke');
  });

  it('posts hostile file names as text: no mention, no link', async () => {
    await start();
    const reply = await app.command({ text: '&lt;!channel&gt; &lt;@U0ADMIN&gt; x.pdf', user_id: ALLOWED });
    expect(await runCurlLine(curlLineFromReply(reply.json), '<!channel> <@U0ADMIN> x.pdf', 'x')).toBe(200);
    await forwarder?.settled();
    const text = String((await app.slack.waitForCall('chat.postMessage')).args.text);
    expect(text).toContain('&lt;!channel&gt; &lt;@U0ADMIN&gt; x.pdf');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0ADMIN>');
  });

  it('when Slack fails, the arrival stays claimed and a later round announces it, once', async () => {
    let clock = Date.now();
    app = await startTestApp({ env: { S3_EVENTS_TOKEN: TOKEN }, arrivalTickMs: 0, now: () => new Date(clock) });
    let slackUp = false;
    app.slack.handle('chat.postMessage', () => (slackUp ? { ok: true, ts: '1' } : { ok: false, error: 'fatal_error' }));
    await app.command({ text: 'retry.pdf', user_id: ALLOWED });
    const key = await lastKey(app);
    await postEvents(app, { Records: [awsRecord(app.s3.bucket, key, { size: 5, eTag: 'r1' })] });
    await app.slack.waitForCall('chat.postMessage');
    await app.arrivals.settled(); // the failed attempt is put off
    slackUp = true;
    expect((await app.arrivals.runOnce()).retried).toBe(0); // not due yet
    clock += 31_000;
    expect((await app.arrivals.runOnce()).retried).toBe(1);
    expect((await app.arrivals.runOnce()).retried).toBe(0);
    const ok = app.slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(ok).toHaveLength(2);
    expect(String(ok[1]?.args.text)).toContain('*retry.pdf* (5 B) has arrived');
    expect(app.logs.join('\n')).toMatch(/WARN.*Could not tell Slack about an arrival .* \(will retry\)/);
  });

  it('when the bot cannot post in the channel, the requester gets a direct message', async () => {
    await start({}, false);
    app.slack.handle('chat.postMessage', (args) =>
      args.channel === 'D0ALICE' ? { ok: true, ts: '1.3' } : { ok: false, error: 'not_in_channel' },
    );
    app.slack.handle('conversations.open', () => ({ ok: true, channel: { id: 'D0ALICE' } }));
    await app.command({ text: 'dm.pdf', user_id: ALLOWED, channel_id: 'C0PRIVATE' });
    await postEvents(app, {
      Records: [awsRecord(app.s3.bucket, await lastKey(app), { size: 2, eTag: 'd' })],
    });
    const dm = await app.slack.waitForCall('chat.postMessage', { match: (c) => c.args.channel === 'D0ALICE' });
    expect(String(dm.args.text)).toContain('*dm.pdf* (2 B) has arrived');
    expect(String(dm.args.text)).toContain("couldn't post in <#C0PRIVATE>");
  });
});
