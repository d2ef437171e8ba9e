/**
 * The partner page's server side over real HTTP: short revocable links, signatures for the exact body, S3 refusing
 * anything else, idempotent arrival notices. (The page in a real browser: test/partner-browser.test.ts.)
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../../src/partner/routes.js';
import { REVOKE_LINK_ACTION } from '../../src/slack/ids.js';
import { revokeMessages } from '../../src/slack/views/admin-reply.js';
import { messages } from '../../src/slack/views/reply.js';
import { ADMIN, ALLOWED, SIGNING_SECRET, STRANGER, startTestApp, type TestApp, urlFromReply } from '../support/app.js';
import { postSigned } from '../support/slack-request.js';

const PUBLIC_URL = 'https://upload.example.com';

/** The partner page id from a reply, read from its blocks as Slack shows them. */
function partnerId(reply: { body: string }): string {
  const match = /https:\/\/upload\.example\.com\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body);
  if (!match?.[1]) throw new Error(`no partner link in ${reply.body}`);
  return match[1];
}

const md5Of = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('base64');

/** POST /sign as the page does: name, size and the Content-MD5 of `bytes` (of the size's zero bytes when none). */
async function sign(app: TestApp, id: string, file: { name: string; size: number; type?: string; md5?: string }) {
  const response = await fetch(`${app.baseUrl}/u/${id}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ md5: md5Of(Buffer.alloc(Math.max(0, Math.min(file.size, 1e6)))), ...file }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function complete(app: TestApp, id: string) {
  const response = await fetch(`${app.baseUrl}/u/${id}/complete`, { method: 'POST' });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function putSigned(signed: Record<string, unknown>, body: Buffer | string, contentType?: string) {
  const headers = {
    ...(signed.headers as Record<string, string>),
    ...(contentType ? { 'Content-Type': contentType } : {}),
  };
  return fetch(String(signed.url), { method: 'PUT', headers, body });
}

const posts = (app: TestApp) => app.slack.calls.filter((c) => c.method === 'chat.postMessage');

describe('partner page (server side)', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    app = await startTestApp({ env: { PUBLIC_URL, ...env } });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
  };

  it('a reply carries a short link and a Revoke button; a browser-style upload arrives and the channel hears once', async () => {
    await start();
    const reply = await app.command({
      text: 'report.pdf',
      user_id: ALLOWED,
      channel_id: 'C0ACME',
      channel_name: 'acme',
    });
    const id = partnerId(reply);
    expect(reply.body).toContain(`"action_id":"${REVOKE_LINK_ACTION}"`);
    expect(reply.body).toContain(`"value":"${id}"`);
    expect(urlFromReply(reply.json)).toContain('X-Amz-Signature'); // the raw URL stays for scripts

    const page = await fetch(`${app.baseUrl}/u/${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('report.pdf');
    expect(html).toContain('#acme in example');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`connect-src 'self' ${app.s3.endpoint}`);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    const bytes = Buffer.from('%PDF-1.7 partner bytes');
    const signed = await sign(app, id, { name: 'Report (final).pdf', size: bytes.length, md5: md5Of(bytes) });
    expect(signed.status).toBe(200);
    expect(signed.body.headers).toEqual({
      'Content-Type': 'application/pdf',
      'Content-Disposition': "attachment; filename*=UTF-8''report.pdf",
      'Content-MD5': md5Of(bytes),
    });
    expect(new URL(String(signed.body.url)).searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-disposition;content-length;content-md5;content-type;host',
    );
    expect(new URL(String(signed.body.url)).searchParams.get('X-Amz-Expires')).toBe('60');
    expect((await putSigned(signed.body, bytes)).status).toBe(200);

    const done = await complete(app, id);
    expect(done).toEqual({
      status: 200,
      body: { ok: true, size: bytes.length, contentType: 'application/pdf', etag: expect.any(String), repeated: false },
    });
    await app.slack.waitForCall('chat.postMessage');
    expect(posts(app)).toHaveLength(1);
    expect(posts(app)[0]?.args.channel).toBe('C0ACME');
    expect(String(posts(app)[0]?.args.text)).toMatch(
      /report\.pdf\* \(22 B\) has arrived through <@U0ALICE>'s upload link/,
    );
    // The log records arrivals as it records links issued and revoked.
    await expect
      .poll(() => app.logs.some((line) => line.includes(`arrival announced link=${id} channel=C0ACME size=22`)))
      .toBe(true);

    expect((await complete(app, id)).body.repeated).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(posts(app)).toHaveLength(1);
    const audit = await app.store.audit.list({ limit: 5 });
    expect(audit.map((e) => e.action)).toEqual(['link.uploaded', 'link.issued']);
    expect(JSON.stringify(audit)).not.toContain('X-Amz');
  });

  it('revoked and expired links: the page shows it closed and signing answers 410', async () => {
    await start();
    const id = partnerId(await app.command({ text: 'report.pdf', user_id: ALLOWED }));
    const other = await app.command({ text: `revoke ${id}`, user_id: STRANGER });
    expect(other.json?.text).toBe(revokeMessages.notYours);
    const revoked = await app.command({ text: `revoke <${PUBLIC_URL}/u/${id}>`, user_id: ALLOWED });
    expect(revoked.json?.text).toContain(revokeMessages.revoked('report.pdf'));
    const page = await fetch(`${app.baseUrl}/u/${id}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('closed by the person who sent it');
    expect((await sign(app, id, { name: 'a.pdf', size: 3 })).status).toBe(410);
    expect((await app.command({ text: `revoke ${id}`, user_id: ADMIN })).json?.text).toBe(revokeMessages.already);
  });

  it('an expired link shows its closed state and signing answers 410', async () => {
    let clock = Date.now();
    app = await startTestApp({ env: { PUBLIC_URL }, now: () => new Date(clock) });
    const id = partnerId(await app.command({ text: 'late.pdf 1m', user_id: ALLOWED }));
    expect((await fetch(`${app.baseUrl}/u/${id}`)).status).toBe(200);
    clock += 2 * 60_000;
    const page = await fetch(`${app.baseUrl}/u/${id}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This upload link has expired');
    expect(await sign(app, id, { name: 'late.pdf', size: 3 })).toMatchObject({
      status: 410,
      body: { error: 'expired' },
    });
  });

  it('the Revoke button closes the page and answers the requester', async () => {
    await start();
    const id = partnerId(await app.command({ text: 'report.pdf', user_id: ALLOWED }));
    const payload = {
      type: 'block_actions',
      user: { id: ALLOWED, username: 'alice', team_id: 'T0TEAM' },
      team: { id: 'T0TEAM', domain: 'example' },
      api_app_id: 'A0APP',
      token: 'x',
      trigger_id: '1.2.3',
      response_url: `${app.slack.url}respond/T0TEAM/1/abc`,
      container: { type: 'message', is_ephemeral: true },
      channel: { id: 'C0ACME', name: 'acme' },
      actions: [{ type: 'button', action_id: REVOKE_LINK_ACTION, block_id: 'b', value: id, action_ts: '1' }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await postSigned(`${app.baseUrl}/slack/events`, SIGNING_SECRET, body);
    expect(response.status).toBe(200);
    const answer = await app.slack.waitForCall('respond/T0TEAM/1/abc');
    expect(answer.args.text).toContain(revokeMessages.revoked('report.pdf'));
    // The reply that gave the link out is replaced: it says so, and has no Revoke button left.
    expect(answer.args.replace_original).toBe(true);
    expect(JSON.stringify(answer.args.blocks)).not.toContain(REVOKE_LINK_ACTION);
    expect((await fetch(`${app.baseUrl}/u/${id}`)).status).toBe(410);
  });

  it('unknown and malformed ids get the same 404, revealing nothing; a broken escape (/u/%) is no error of ours', async () => {
    await start();
    const unknown = await fetch(`${app.baseUrl}/u/AAAAAAAAAAAAAAAAAAAAAA`);
    const malformed = await fetch(`${app.baseUrl}/u/nope`);
    const broken = await fetch(`${app.baseUrl}/u/%`);
    expect([unknown.status, malformed.status, broken.status]).toEqual([404, 404, 404]);
    const text = await unknown.text();
    expect(await malformed.text()).toBe(text);
    expect(await broken.text()).toBe(text);
    expect((await fetch(`${app.baseUrl}/u/%E0%A4%A/sign`, { method: 'POST' })).status).toBe(404);
    expect(app.logs.filter((line) => /\bERROR\b/.test(line))).toEqual([]);
    expect((await sign(app, 'AAAAAAAAAAAAAAAAAAAAAA', { name: 'a', size: 1 })).status).toBe(404);
  });

  it('channel limits: no raw URL; the bot refuses what is outside them; S3 refuses any other body', async () => {
    await start();
    await app.command({ text: 'settings max-size=20B types=txt,csv', user_id: ADMIN, channel_id: 'C0ACME' });
    expect((await app.command({ text: 'report.pdf', user_id: ALLOWED, channel_id: 'C0ACME' })).json?.text).toBe(
      messages.typeNotAllowed('report.pdf', ['txt', 'csv']),
    );
    const reply = await app.command({ text: 'notes.txt', user_id: ALLOWED, channel_id: 'C0ACME' });
    expect(reply.body).not.toContain('X-Amz-Signature');
    expect(reply.body).toContain('at most 20 B, only txt, csv');
    const id = partnerId(reply);

    const tooLarge = await sign(app, id, { name: 'notes.txt', size: 21 });
    expect(tooLarge).toMatchObject({ status: 400, body: { error: 'too-large' } });
    const wrongType = await sign(app, id, { name: 'notes.exe', size: 5 });
    expect(wrongType).toMatchObject({ status: 400, body: { error: 'wrong-type' } });

    const signed = await sign(app, id, { name: 'notes.txt', size: 5, md5: md5Of('hello') });
    expect(signed.status).toBe(200);
    expect((await putSigned(signed.body, 'sixsix')).status).toBe(403); // another length
    expect((await putSigned(signed.body, 'hello', 'application/pdf')).status).toBe(403); // another type
    expect(await app.s3.listKeys()).toEqual([]);
    expect((await putSigned(signed.body, 'hello')).status).toBe(200);
    expect((await complete(app, id)).status).toBe(200);
  });

  it('without PUBLIC_URL a limited channel gets a clear refusal, and there is no partner page', async () => {
    app = await startTestApp();
    await app.command({ text: 'settings max-size=1MB', user_id: ADMIN, channel_id: 'C0ACME' });
    const reply = await app.command({ text: 'report.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    expect(reply.json?.text).toBe(messages.needsPartnerPage('at most 1 MB'));
    const plain = await app.command({ text: 'report.pdf', user_id: ALLOWED, channel_id: 'C0OTHER' });
    expect(plain.body).not.toContain('/u/');
    expect((await fetch(`${app.baseUrl}/u/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
  });

  it('a single-use link closes after its upload', async () => {
    await start();
    const id = partnerId(await app.command({ text: 'once.csv 2h once', user_id: ALLOWED }));
    const signed = await sign(app, id, { name: 'once.csv', size: 3, md5: md5Of('a,b') });
    expect((await putSigned(signed.body, 'a,b')).status).toBe(200);
    expect((await complete(app, id)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/u/${id}`)).status).toBe(410);
    expect((await sign(app, id, { name: 'once.csv', size: 3 })).body.error).toBe('used');
  });

  it('when the bot cannot post in the channel, the requester gets a direct message', async () => {
    await start();
    app.slack.handle('chat.postMessage', (args) =>
      args.channel === 'D0ALICE' ? { ok: true, ts: '1.3' } : { ok: false, error: 'not_in_channel' },
    );
    app.slack.handle('conversations.open', () => ({ ok: true, channel: { id: 'D0ALICE' } }));
    const id = partnerId(await app.command({ text: 'r.pdf', user_id: ALLOWED, channel_id: 'C0PRIVATE' }));
    const signed = await sign(app, id, { name: 'r.pdf', size: 2, md5: md5Of('ok') });
    await putSigned(signed.body, 'ok');
    await complete(app, id);
    const dm = await app.slack.waitForCall('chat.postMessage', { match: (c) => c.args.channel === 'D0ALICE' });
    expect(String(dm.args.text)).toContain("couldn't post in <#C0PRIVATE>");
    expect(app.slack.calls.find((c) => c.method === 'conversations.open')?.args.users).toBe(ALLOWED);
  });

  it('rate-limits signing per link', async () => {
    await start();
    const id = partnerId(await app.command({ text: 'r.pdf', user_id: ALLOWED }));
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMITS.perLinkPerMinute; i++)
      statuses.push((await sign(app, id, { name: 'r.pdf', size: 1 })).status);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
