import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/slack/views/reply.js';
import { ADMIN, ALLOWED, SIGNING_SECRET, STRANGER, startTestApp, type TestApp, urlFromReply } from '../support/app.js';
import { S3_CREDENTIALS } from '../support/s3.js';
import { commandBody, postSigned } from '../support/slack-request.js';

const run = promisify(execFile);

/** The `s3://bucket/key` the reply promises, read from its blocks as Slack would show it. */
function promisedKey(reply: Record<string, unknown> | undefined): string {
  const match = /s3:\/\/[^/]+\/([^"]+)"/.exec(JSON.stringify(reply?.blocks));
  if (!match?.[1]) throw new Error('no s3:// location in reply');
  return JSON.parse(`"${match[1]}"`);
}

async function put(url: string, body: Buffer): Promise<Response> {
  return fetch(url, { method: 'PUT', body });
}

describe('/upload-link over real HTTP', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('answers an allowed user with a working URL under the channel prefix, and the bytes land at the promised key', async () => {
    app = await startTestApp();
    const reply = await app.command({ text: 'report.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    expect(reply.status).toBe(200);
    expect(reply.json?.response_type).toBe('ephemeral');
    const key = promisedKey(reply.json);
    const today = new Date().toISOString().slice(0, 10);
    expect(key).toMatch(new RegExp(`^uploads/C0ACME/${today}/[0-9a-f-]{36}/report\\.pdf$`));

    const url = urlFromReply(reply.json);
    expect(reply.json?.text).toContain(url.replace(/&/g, '&amp;'));
    expect(reply.json?.text).toMatch(/Expires \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/);
    expect(url).not.toContain('x-amz-checksum');
    const blocks = JSON.stringify(reply.json?.blocks);
    expect(blocks).toMatch(/<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d{2}-\d{2}T[\d:]+Z>/);
    expect(blocks).toContain(`curl --fail-with-body --upload-file 'report.pdf' '${url}'`);

    const body = randomBytes(1024 * 1024 + 17);
    const upload = await put(url, body);
    expect(upload.status).toBe(200);
    expect((await app.s3.getObject(key))?.equals(body)).toBe(true);
  });

  it('keeps a quoted non-ASCII name with spaces, and the upload lands under it', async () => {
    app = await startTestApp();
    const name = 'Q3 Zahlen — Übersicht 報告 🚀.xlsx';
    const reply = await app.command({ text: `"${name}" 2h`, user_id: ADMIN });
    const key = promisedKey(reply.json);
    expect(key.endsWith(`/${name}`)).toBe(true);
    const body = Buffer.from('spreadsheet bytes');
    expect((await put(urlFromReply(reply.json), body)).status).toBe(200);
    expect((await app.s3.getObject(key))?.toString()).toBe('spreadsheet bytes');
    expect(await app.s3.listKeys()).toEqual([key]);
  });

  it('the ready curl command from the reply uploads the file as given', async () => {
    app = await startTestApp();
    const name = "Partner's data [final].csv";
    const reply = await app.command({ text: `"${name}"` });
    const blocks = reply.json?.blocks as { elements?: { type: string; elements?: { text: string }[] }[] }[];
    const commandLine = blocks
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e.type === 'rich_text_preformatted')
      .map((e) => e.elements?.[0]?.text ?? '')
      .find((t) => t.startsWith('curl '));
    expect(commandLine).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'upload-link-curl-'));
    try {
      await writeFile(join(dir, name), 'from curl\n');
      await run('sh', ['-c', `${commandLine} --silent --show-error`], { cwd: dir });
      expect((await app.s3.getObject(promisedKey(reply.json)))?.toString()).toBe('from curl\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the curl line exits non-zero when S3 refuses (an expired link), printing why; a file named "-" is that file', async () => {
    let clock = Date.now();
    app = await startTestApp({ now: () => new Date(clock) });
    const curlLine = (reply: Record<string, unknown> | undefined) =>
      ((reply?.blocks ?? []) as { elements?: { type: string; elements?: { text: string }[] }[] }[])
        .flatMap((b) => b.elements ?? [])
        .filter((e) => e.type === 'rich_text_preformatted')
        .map((e) => e.elements?.[0]?.text ?? '')
        .find((t) => t.startsWith('curl ')) as string;
    const dir = await mkdtemp(join(tmpdir(), 'upload-link-curl-'));
    try {
      await writeFile(join(dir, '-'), 'the dash file\n');
      const dash = await app.command({ text: '"-" 1m', user_id: ADMIN });
      await run('sh', ['-c', `${curlLine(dash.json)} --silent --show-error < /dev/null`], { cwd: dir });
      expect((await app.s3.getObject(promisedKey(dash.json)))?.toString()).toBe('the dash file\n');

      // Signed two minutes ago for one minute: S3 refuses, and the exit code says so.
      clock -= 120_000;
      const expired = await app.command({ text: '"-" 1m', user_id: ADMIN });
      clock += 120_000;
      const failed = await run('sh', ['-c', `${curlLine(expired.json)} --silent --show-error`], { cwd: dir }).then(
        () => undefined,
        (error: { code?: number; stdout?: string }) => error,
      );
      expect(failed?.code).toBe(22);
      expect(failed?.stdout).toMatch(/expired/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the file name the user typed even when Slack turned it into a link', async () => {
    app = await startTestApp();
    const reply = await app.command({ text: '<http://notes.md|notes.md> 45m' });
    expect(promisedKey(reply.json)).toMatch(/\/notes\.md$/);
    expect(reply.json?.text).toMatch(/Expires/);
  });

  it('refuses a caller who may not create links, names the admins, and signs nothing', async () => {
    app = await startTestApp();
    const reply = await app.command({ text: 'report.pdf', user_id: STRANGER });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ response_type: 'ephemeral', text: messages.refused([ADMIN]) });
    expect(reply.body).toContain(`<@${ADMIN}>`);
    expect(reply.body).not.toContain('X-Amz');
  });

  it('answers help, and a bad expiry with the allowed range, signing nothing', async () => {
    app = await startTestApp();
    const help = await app.command({ text: '' });
    expect(help.json?.response_type).toBe('ephemeral');
    expect(help.json?.text).toContain('/upload-link report.pdf');
    const helpWord = await app.command({ text: 'help' });
    expect(helpWord.json?.text).toBe(help.json?.text);

    for (const [expiry, says] of [
      ['8d', 'too long: at most 1 week here'],
      ['30s', '1 minute to 1 week'],
      ['0m', 'too short: at least 1 minute'],
      ['2y', '1 minute to 1 week'],
    ]) {
      const reply = await app.command({ text: `report.pdf ${expiry}`, user_id: ADMIN });
      expect(reply.json?.text).toContain(says);
      expect(reply.body).not.toContain('X-Amz');
    }
    expect(await app.s3.listKeys()).toEqual([]);
  });

  it('rejects forged, unsigned and stale requests with 401 before any handler runs', async () => {
    app = await startTestApp();
    const url = `${app.baseUrl}/slack/events`;
    const body = commandBody({ text: 'report.pdf', user_id: ADMIN });
    const forged = await postSigned(url, 'not-the-secret', body);
    const missing = await postSigned(url, SIGNING_SECRET, body, { signature: null });
    const stale = await postSigned(url, SIGNING_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([forged.status, missing.status, stale.status]).toEqual([401, 401, 401]);
    for (const r of [forged, missing, stale]) expect(r.body).not.toContain('X-Amz');
    expect(app.logs.join('\n')).not.toContain('link issued');
  });

  it('signs URLs that really expire: the server refuses one past its expiry', async () => {
    // The clock is the only thing moved: the link is signed 2 minutes ago for 1 minute.
    app = await startTestApp({ now: () => new Date(Date.now() - 120_000) });
    const reply = await app.command({ text: 'late.txt 1m', user_id: ADMIN });
    const response = await put(urlFromReply(reply.json), Buffer.from('too late'));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/i);
    expect(await app.s3.listKeys()).toEqual([]);
  });

  it('a tampered URL is refused by the server', async () => {
    app = await startTestApp();
    const reply = await app.command({ text: 'report.pdf', user_id: ADMIN });
    const url = urlFromReply(reply.json).replace('/report.pdf', '/other.pdf');
    expect((await put(url, Buffer.from('x'))).status).toBe(403);
  });

  it('states the earlier expiry when the credentials expire before the link would', async () => {
    const credentialsExpire = new Date(Date.now() + 30 * 60_000);
    app = await startTestApp({
      credentials: async () => ({
        ...S3_CREDENTIALS,
        sessionToken: 'session-token-value',
        expiration: credentialsExpire,
      }),
    });
    const reply = await app.command({ text: 'report.pdf 2d', user_id: ADMIN });
    const iso = credentialsExpire.toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(reply.json?.text).toContain(`Expires ${iso} (limited by the AWS credentials)`);
    expect(reply.body).toContain('because the AWS credentials the bot signs with expire then');
    expect(reply.body).toContain(`<!date^${Math.floor(credentialsExpire.getTime() / 1000)}^`);
  });

  it('answers clearly when the AWS credentials can no longer be loaded, and keeps serving', async () => {
    // There at start (without them the bot would not start: test/main/server.test.ts), gone later.
    let gone = false;
    app = await startTestApp({
      credentials: async () => {
        if (gone) throw new Error('Could not load credentials from any providers');
        // About to expire, so the SDK asks again before signing.
        return { ...S3_CREDENTIALS, expiration: new Date(Date.now() + 30_000) };
      },
    });
    gone = true;
    const reply = await app.command({ text: 'report.pdf', user_id: ADMIN });
    expect(reply.json).toEqual({ response_type: 'ephemeral', text: messages.signingUnavailable() });
    expect(app.logs.join('\n')).toContain('Cannot sign upload links');
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });

  it('serves GET /healthz', async () => {
    app = await startTestApp();
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('honours LOG_LEVEL: at warn, handling commands logs nothing', async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'warn' } });
    await app.command({ text: 'report.pdf', user_id: ADMIN });
    await app.command({ text: 'report.pdf', user_id: STRANGER });
    expect(app.logs).toEqual([]);
  });

  it('never logs a signature, token or secret, even at debug level', async () => {
    app = await startTestApp();
    await app.command({ text: 'report.pdf', user_id: ADMIN });
    await app.command({ text: 'report.pdf', user_id: STRANGER });
    const logs = app.logs.join('\n');
    expect(logs).toContain('link issued');
    for (const secret of ['X-Amz-Signature=', 'xoxb-', SIGNING_SECRET, S3_CREDENTIALS.secretAccessKey]) {
      expect(logs.replace(/X-Amz-Signature=\[redacted\]/g, '')).not.toContain(secret);
    }
  });
});
