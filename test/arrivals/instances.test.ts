/**
 * Two app instances on one PostgreSQL, sharing S3 and Slack, as behind a load balancer: the same S3 event
 * delivered to both (SNS and RGW retries, two subscriptions) gives one channel message; an instance that dies after
 * claiming an arrival and before announcing it leaves it to the other, which announces it once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';
import { awsRecord } from '../support/s3-events.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/slack-api.js';

const TOKEN = 'instances-events-token-0123456789abcdef01234';

describe.skipIf(!hasPostgres())('two instances on one PostgreSQL', () => {
  let db: FreshDatabase;
  let s3: LocalS3;
  let slack: FakeSlackApi;
  let apps: TestApp[];
  let clock: number;

  beforeEach(async () => {
    db = await freshPostgresDatabase(postgresUrlOrThrow());
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
    slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
    clock = Date.now();
    apps = [];
    for (let i = 0; i < 2; i++) {
      apps.push(
        await startTestApp({
          databaseUrl: db.url,
          s3,
          slack,
          env: { S3_EVENTS_TOKEN: TOKEN },
          now: () => new Date(clock),
          arrivalTickMs: 0,
        }),
      );
    }
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await s3.close();
    await slack.close();
    await db.drop();
  });

  const posts = () => slack.calls.filter((c) => c.method === 'chat.postMessage');
  const lastKey = async (app: TestApp) =>
    (await app.store.audit.list({ action: 'link.issued', limit: 1 }))[0]?.detail.key ?? '';
  const deliver = (app: TestApp, body: unknown) =>
    fetch(`${app.baseUrl}/s3/events/${TOKEN}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.status);

  it('the same event delivered to both instances, several times at once, is announced once', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    await a.command({ text: 'shared.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    const body = { Records: [awsRecord(s3.bucket, await lastKey(a), { size: 10, eTag: 'c0ffee', sequencer: '01' })] };
    const statuses = await Promise.all([a, b, a, b, a, b].map((app) => deliver(app, body)));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    await slack.waitForCall('chat.postMessage');
    await Promise.all(apps.map((app) => app.arrivals.settled()));
    clock += 3600_000;
    await Promise.all(apps.map((app) => app.arrivals.runOnce()));
    expect(posts()).toHaveLength(1);
    expect(await a.store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(1);
  });

  it('an instance that claimed an arrival and died before announcing it: the other announces it once', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    await a.command({ text: 'orphan.pdf', user_id: ALLOWED });
    const [issued] = await a.store.audit.list({ action: 'link.issued', limit: 1 });
    const linkId = issued?.detail.link ?? '';
    // What instance A had done when it died: the claim, in its transaction; no message yet.
    const arrival = {
      version: 'dead',
      size: 6,
      contentType: undefined,
      source: 'event' as const,
      landedAt: new Date(clock),
    };
    const claimed = await a.store.arrivals.claim(linkId, arrival, new Date(clock), new Date(clock + 60_000));
    expect(claimed.kind).toBe('claimed');
    await a.close();
    apps = [b];

    expect((await b.arrivals.runOnce()).retried).toBe(0);
    clock += 61_000;
    expect((await b.arrivals.runOnce()).retried).toBe(1);
    await b.arrivals.settled();
    clock += 3600_000;
    expect((await b.arrivals.runOnce()).retried).toBe(0);
    expect(posts()).toHaveLength(1);
    expect(String(posts()[0]?.args.text)).toContain('*orphan.pdf* (6 B) has arrived');
  });
});
