/**
 * The partner page's rate limits against someone trying to dodge them: made-up X-Forwarded-For addresses, a second
 * instance, a flood of other keys. Counters live in the store (rate-limiter-flexible), over real HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../../src/partner/rate-limit.js';
import { openStore } from '../../src/store/index.js';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/slack-api.js';

const PUBLIC_URL = 'https://upload.example.com';

function partnerId(reply: { body: string }): string {
  const match = /https:\/\/upload\.example\.com\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body);
  if (!match?.[1]) throw new Error(`no partner link in ${reply.body}`);
  return match[1];
}

const page = (app: TestApp, id: string, forwardedFor?: string) =>
  fetch(`${app.baseUrl}/u/${id}`, { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });

const sign = (app: TestApp, id: string, forwardedFor?: string) =>
  fetch(`${app.baseUrl}/u/${id}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ name: 'r.pdf', size: 1 }),
  });

describe('partner rate limits', () => {
  const apps: TestApp[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const step of cleanup.splice(0)) await step();
  });
  const start = async (options: Parameters<typeof startTestApp>[0] = {}) => {
    const app = await startTestApp({ ...options, env: { PUBLIC_URL, ...options.env } });
    apps.push(app);
    return app;
  };

  it('without TRUST_PROXY a made-up X-Forwarded-For changes nothing: the socket address is counted', async () => {
    const app = await start();
    const id = partnerId(await app.command({ text: 'r.pdf', user_id: ALLOWED }));
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.perAddressPerMinute + 5; i++) {
      statuses.push((await page(app, id, `203.0.113.${i % 250}, 198.51.100.${i % 250}`)).status);
    }
    expect(statuses.slice(0, RATE_LIMITS.perAddressPerMinute).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(RATE_LIMITS.perAddressPerMinute).every((s) => s === 429)).toBe(true);
  });

  it('with TRUST_PROXY=1 only the entry the proxy appended counts; what the client wrote before it is ignored', async () => {
    const app = await start({ env: { TRUST_PROXY: '1' } });
    const id = partnerId(await app.command({ text: 'r.pdf', user_id: ALLOWED }));
    const statuses: number[] = [];
    // The client rotates its own entries; the proxy (one hop) always appends the same real address.
    for (let i = 0; i < RATE_LIMITS.perAddressPerMinute + 3; i++) {
      statuses.push((await page(app, id, `10.0.${i % 250}.1, 192.0.2.7`)).status);
    }
    expect(statuses.slice(RATE_LIMITS.perAddressPerMinute).every((s) => s === 429)).toBe(true);
    // Another real address behind the same proxy is its own client.
    expect((await page(app, id, '192.0.2.8')).status).toBe(200);
  });

  it("a link's limit is shared by two instances on one database, and rotating addresses does not reset it", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'upload-link-rl-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const s3: LocalS3 = await startLocalS3();
    const slack: FakeSlackApi = await startFakeSlackApi();
    cleanup.push(
      () => s3.close(),
      () => slack.close(),
    );
    const databaseUrl = `sqlite:${join(dir, 'shared.db')}`;
    const one = await start({ databaseUrl, s3, slack, env: { TRUST_PROXY: '1' } });
    const two = await start({ databaseUrl, s3, slack, env: { TRUST_PROXY: '1' } });
    const id = partnerId(await one.command({ text: 'r.pdf', user_id: ALLOWED }));
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.perLinkPerMinute + 2; i++) {
      statuses.push((await sign(i % 2 === 0 ? one : two, id, `198.51.100.${i}`)).status);
    }
    expect(statuses.slice(0, RATE_LIMITS.perLinkPerMinute).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(RATE_LIMITS.perLinkPerMinute)).toEqual([429, 429]);
  });

  it('a flood of other keys evicts nothing: a counter at its limit stays there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'upload-link-rl-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const store = openStore({ dialect: 'sqlite', path: join(dir, 'flood.db') });
    cleanup.push(() => store.close());
    await store.migrate();
    const limiter = store.rateLimiter({ name: 'flood', points: 3, windowSeconds: 600 });
    for (let i = 0; i < 3; i++) expect(await limiter.take('victim')).toBe(true);
    expect(await limiter.take('victim')).toBe(false);
    // More distinct keys than the old in-memory map held (50,000 at most before it dropped its oldest half).
    const flood = 52_000;
    const batch = 2000;
    for (let start = 0; start < flood; start += batch) {
      await Promise.all(Array.from({ length: batch }, (_, i) => limiter.take(`spoofed-${start + i}`)));
    }
    expect(await limiter.take('victim')).toBe(false);
  }, 120_000);
});
