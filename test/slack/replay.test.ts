/**
 * Captured Slack requests, sent again: the same signed bytes have no second effect, on this instance or another one
 * sharing the store, and timestamps more than 5 minutes away in either direction are refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../src/bootstrap.js';
import { ADMIN, SIGNING_SECRET, startTestApp, type TestApp } from '../support/app.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/slack-api.js';
import { commandBody, postSigned, slackSignature } from '../support/slack-request.js';

const BOB = 'U0BOB';

/** One request as an attacker captured it: exact body, timestamp and signature, posted as many times as wanted. */
function capture(app: TestApp, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = slackSignature(SIGNING_SECRET, timestamp, body);
  return (target: TestApp = app) =>
    postSigned(`${target.baseUrl}${SLACK_EVENTS_PATH}`, SIGNING_SECRET, body, { timestamp, signature });
}

describe('replayed Slack requests', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('the same signed slash command, posted three times, makes one link', async () => {
    app = await startTestApp();
    const send = capture(app, commandBody({ text: 'report.pdf', user_id: ADMIN }));
    const first = await send();
    expect(first.body).toContain('X-Amz-Signature');
    const again = [await send(), await send()];
    for (const replay of again) {
      expect(replay.status).toBe(200);
      expect(replay.body).toBe('');
    }
    expect(await app.store.audit.list({ action: 'link.issued', limit: 10 })).toHaveLength(1);
    expect(app.logs.some((line) => line.includes('Ignored a replayed Slack request'))).toBe(true);
  });

  it('a captured "admins add", replayed after that admin was removed, does not make them admin again', async () => {
    app = await startTestApp();
    const add = capture(app, commandBody({ text: `admins add <@${BOB}|bob>`, user_id: ADMIN }));
    expect(String((await add()).json?.text)).toContain(`<@${BOB}> is now an admin`);
    const remove = await app.command({ text: `admins remove <@${BOB}|bob>`, user_id: ADMIN });
    expect(String(remove.json?.text)).toContain(`<@${BOB}> is no longer an admin`);

    expect((await add()).body).toBe('');
    expect(await app.store.admins.has(BOB)).toBe(false);
    const changes = await app.store.audit.list({ action: 'admin.add', limit: 10 });
    expect(changes).toHaveLength(1);
  });

  it('refuses timestamps more than 5 minutes away, in the future as in the past, with 401 and no effect', async () => {
    app = await startTestApp();
    const now = Math.floor(Date.now() / 1000);
    for (const offset of [3600, 301, -301, -3600]) {
      const response = await capture(app, commandBody({ text: 'report.pdf', user_id: ADMIN }), now + offset)();
      expect({ offset, status: response.status }).toEqual({ offset, status: 401 });
    }
    for (const offset of [240, -240]) {
      const response = await capture(app, commandBody({ text: 'report.pdf', user_id: ADMIN }), now + offset)();
      expect({ offset, status: response.status }).toEqual({ offset, status: 200 });
    }
    expect(await app.store.audit.list({ action: 'link.issued', limit: 10 })).toHaveLength(2);
  });

  it('a respelled signature for the same request is refused, and does not use up the genuine one', async () => {
    app = await startTestApp();
    const body = commandBody({ text: 'report.pdf', user_id: ADMIN });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = slackSignature(SIGNING_SECRET, timestamp, body);
    const url = `${app.baseUrl}${SLACK_EVENTS_PATH}`;
    // Bolt's own check splits on '=' and would take `v0=<digest>=x` for the genuine signature.
    const respelled = await postSigned(url, SIGNING_SECRET, body, { timestamp, signature: `${signature}=x` });
    expect(respelled.status).toBe(401);
    const genuine = await postSigned(url, SIGNING_SECRET, body, { timestamp, signature });
    expect(genuine.body).toContain('X-Amz-Signature');
  });

  it.skipIf(!hasPostgres())(
    'two instances on one PostgreSQL: a request acted on by one is ignored by the other',
    async () => {
      const db: FreshDatabase = await freshPostgresDatabase(postgresUrlOrThrow());
      const s3: LocalS3 = await startLocalS3();
      const slack: FakeSlackApi = await startFakeSlackApi();
      let other: TestApp | undefined;
      try {
        app = await startTestApp({ databaseUrl: db.url, s3, slack });
        other = await startTestApp({ databaseUrl: db.url, s3, slack });
        const send = capture(app, commandBody({ text: 'report.pdf', user_id: ADMIN }));
        const [a, b] = await Promise.all([send(app), send(other)]);
        const answered = [a, b].filter((r) => r.body.includes('X-Amz-Signature'));
        expect(answered).toHaveLength(1);
        expect([a, b].map((r) => r.status)).toEqual([200, 200]);
        expect(await app.store.audit.list({ action: 'link.issued', limit: 10 })).toHaveLength(1);
      } finally {
        await other?.close();
        await app?.close();
        app = undefined;
        await s3.close();
        await slack.close();
        await db.drop();
      }
    },
  );
});
