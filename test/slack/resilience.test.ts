/**
 * Faults: forged requests, a database that goes away mid-run, expired credentials, an unreachable Slack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { adminMessages } from '../../src/slack/views/admin-reply.js';
import { messages } from '../../src/slack/views/reply.js';
import { ADMIN, ALLOWED, SIGNING_SECRET, startTestApp, type TestApp } from '../support/app.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';
import { S3_CREDENTIALS } from '../support/s3.js';
import { FAKE_BOT } from '../support/slack-api.js';
import { commandBody, postSigned, slackSignature } from '../support/slack-request.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const issued = (reply: { body: string }) => reply.body.includes('X-Amz-Signature');

// A future timestamp is not in this list: Bolt only refuses stale ones, and a future-dated request can only be
// signed by someone holding the signing secret, so it is not a replay.
describe('forged and malformed Slack requests', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('are refused with 401 before any handler runs', async () => {
    app = await startTestApp();
    const url = `${app.baseUrl}/slack/events`;
    const body = commandBody({ text: 'report.pdf', user_id: ADMIN });
    const now = Math.floor(Date.now() / 1000);
    const attempts = [
      postSigned(url, 'wrong-secret', body),
      postSigned(url, SIGNING_SECRET, body, { signature: null }),
      postSigned(url, SIGNING_SECRET, body, { signature: 'v0=deadbeef' }),
      postSigned(url, SIGNING_SECRET, body, {
        signature: slackSignature(SIGNING_SECRET, now, body).replace('v0=', 'v1='),
      }),
      postSigned(url, SIGNING_SECRET, body, { timestamp: now - 6 * 60 }),
      // Signed for one body, sent with another.
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(now),
          'x-slack-signature': slackSignature(SIGNING_SECRET, now, body),
        },
        body: body.replace('report.pdf', 'evil.pdf'),
      }).then(async (r) => ({ status: r.status, body: await r.text() })),
      fetch(url, { method: 'POST', body }).then(async (r) => ({ status: r.status, body: await r.text() })),
    ];
    const results = await Promise.all(attempts);
    expect(results.map((r) => r.status)).toEqual(Array(attempts.length).fill(401));
    for (const r of results) expect(issued(r)).toBe(false);
    expect(await app.store.audit.list({ limit: 10 })).toEqual([]);
    expect(await app.s3.listKeys()).toEqual([]);
  });
});

describe('AWS credentials', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('expired credentials get a clear reply and a log line, and the bot keeps serving', async () => {
    app = await startTestApp({
      credentials: async () => ({
        ...S3_CREDENTIALS,
        sessionToken: 'token',
        expiration: new Date(Date.now() - 60_000),
      }),
    });
    const reply = await app.command({ text: 'report.pdf', user_id: ALLOWED });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ response_type: 'ephemeral', text: messages.signingUnavailable() });
    expect(app.logs.join('\n')).toMatch(/ERROR .*Cannot sign upload links: the AWS credentials expire at/);
    expect((await app.store.audit.list({ limit: 5 })).map((e) => e.action)).not.toContain('link.issued');
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe("Slack's Web API unreachable", () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('links that need no Slack call still work; group entries fail with a clear message', async () => {
    app = await startTestApp({ env: { SLACK_API_URL: 'http://127.0.0.1:9/api/' }, identity: FAKE_BOT });
    await app.command({ text: 'allow <!subteam^S0TEAM|@team>', user_id: ADMIN, channel_id: 'C0ACME' });
    const direct = await app.command({ text: 'report.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    expect(issued(direct)).toBe(true);
    const started = Date.now();
    const viaGroup = await app.command({ text: 'report.pdf', user_id: 'U0CAROL', channel_id: 'C0ACME' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(issued(viaGroup)).toBe(false);
    expect(String(viaGroup.json?.text)).toContain(messages.groupsUnchecked());
    const access = await app.command({ text: 'access', user_id: ADMIN, channel_id: 'C0ACME' });
    expect(String(access.json?.text)).toContain('members unavailable right now');
  });
});

describe.skipIf(!hasPostgres())('PostgreSQL stopped mid-run', () => {
  let db: FreshDatabase;
  let proxy: TcpProxy;
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('answers "temporarily unavailable, nothing was created", survives, and recovers when it returns', async () => {
    db = await freshPostgresDatabase(postgresUrlOrThrow());
    const target = new URL(db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    app = await startTestApp({ databaseUrl: viaProxy.toString() });
    await app.command({ text: 'allow <@U0BOB|bob>', user_id: ADMIN, channel_id: 'C0ACME' });
    expect(issued(await app.command({ text: 'a.pdf', user_id: 'U0BOB', channel_id: 'C0ACME' }))).toBe(true);

    await proxy.cut();
    for (const user of ['U0BOB', ALLOWED]) {
      const started = Date.now();
      const reply = await app.command({ text: 'b.pdf', user_id: user, channel_id: 'C0ACME' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(reply.status).toBe(200);
      expect(reply.json?.text).toBe(messages.storeUnavailable());
    }
    const admin = await app.command({ text: 'allow <@U0CAROL|carol>', user_id: ADMIN, channel_id: 'C0ACME' });
    expect(admin.json?.text).toBe(adminMessages.storeUnavailable);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);

    await proxy.restore();
    expect(issued(await app.command({ text: 'c.pdf', user_id: 'U0BOB', channel_id: 'C0ACME' }))).toBe(true);
    const audit = await app.store.audit.list({ limit: 10 });
    expect(audit.filter((e) => e.action === 'link.issued').map((e) => String(e.detail.key).split('/').at(-1))).toEqual([
      'c.pdf',
      'a.pdf',
    ]);
  });
});
