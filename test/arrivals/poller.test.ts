/**
 * The poller against a real S3 server (s3rver) with a fake clock: with no S3 events configured, raw links are
 * checked with HeadObject on a backing-off schedule, within a per-minute bound, until their URL has expired.
 * `arrivals.runOnce()` is the background round the bot runs every 10 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALLOWED, startTestApp, type TestApp, urlFromReply } from '../support/app.js';

describe('polling raw links with HeadObject', () => {
  let app: TestApp;
  let clock = Date.now();
  afterEach(async () => {
    await app?.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    // The bot signs with this clock and s3rver checks expiry with the real one: start it now.
    clock = Date.now();
    app = await startTestApp({ env, now: () => new Date(clock), arrivalTickMs: 0 });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
  };
  const posts = () => app.slack.calls.filter((c) => c.method === 'chat.postMessage');

  /** Runs a round every `step` seconds for `seconds`; returns the offsets (s from `from`) at which checks were made. */
  async function runFor(seconds: number, step = 10, from = clock): Promise<number[]> {
    const checkedAt: number[] = [];
    for (let t = 0; t <= seconds; t += step) {
      clock = from + t * 1000;
      const { poll } = await app.arrivals.runOnce();
      await app.arrivals.settled();
      for (let i = 0; i < (poll?.checked ?? 0); i++) checkedAt.push(t);
    }
    return checkedAt;
  }

  it('checks at 1, 3, 7, 15, 31 and 61 minutes, then once after the URL expired, and never again', async () => {
    await start();
    const created = clock;
    const reply = await app.command({ text: 'report.pdf 1h', user_id: ALLOWED, channel_id: 'C0ACME' });
    const url = urlFromReply(reply.json);
    expect((await fetch(url, { method: 'PUT', body: 'first' })).status).toBe(200);

    const early = await runFor(60, 10, created);
    expect(early).toEqual([60]);
    const first = await app.slack.waitForCall('chat.postMessage');
    expect(String(first.args.text)).toContain('*report.pdf* (5 B) has arrived');

    expect((await fetch(url, { method: 'PUT', body: 'second!' })).status).toBe(200);
    const rest = await runFor(3 * 3600, 10, created + 70_000);
    // Offsets from the first check at 60 s: +120, +240, +480, +960, +1800 (the cap), then expiry + 5 min.
    expect(rest.map((t) => t + 70)).toEqual([180, 420, 900, 1860, 3660, 3900]);
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(2);
    expect(String(posts()[1]?.args.text)).toContain(
      '*report.pdf* (7 B) has arrived again and replaced the earlier file',
    );
    const audit = await app.store.audit.list({ action: 'link.uploaded', limit: 5 });
    expect(audit.map((e) => [e.detail.source, e.detail.size])).toEqual([
      ['poll', 7],
      ['poll', 5],
    ]);
  });

  it('makes at most ARRIVAL_POLL_MAX_PER_MINUTE checks a minute, the longest-waiting first', async () => {
    await start({ ARRIVAL_POLL_MAX_PER_MINUTE: '5' });
    const created = clock;
    for (let i = 0; i < 12; i++) await app.command({ text: `file-${i}.csv 2h`, user_id: ALLOWED });
    const checks = await runFor(5 * 60, 10, created);
    const perMinute = new Map<number, number>();
    for (const t of checks)
      perMinute.set(Math.floor((t - 60) / 60), (perMinute.get(Math.floor((t - 60) / 60)) ?? 0) + 1);
    expect(Math.max(...perMinute.values())).toBe(5);
    // 12 first checks (due at 1 min), then second ones (2 min later, the longest-waiting first): the budget is used
    // whole while enough are due, never exceeded; in the fifth minute only 4 are due.
    expect([...perMinute.values()]).toEqual([5, 5, 5, 5, 4]);
  });

  it('does not poll when switched off, nor when S3 events are configured (unless asked)', async () => {
    await start({ ARRIVAL_POLLING: 'off' });
    await app.command({ text: 'a.pdf', user_id: ALLOWED });
    clock += 120_000;
    expect((await app.arrivals.runOnce()).poll).toBeUndefined();
    await app.close();

    await start({ S3_EVENTS_TOKEN: 'x'.repeat(32) });
    expect(app.config.arrivals.polling).toBe(false);
    await app.close();
    await start({ S3_EVENTS_TOKEN: 'x'.repeat(32), ARRIVAL_POLLING: 'on' });
    expect(app.config.arrivals.polling).toBe(true);
  });

  it('keeps polling a revoked link (its raw URL still works) and audits what lands as arrived after revoke', async () => {
    await start({ PUBLIC_URL: 'https://upload.example.com' });
    const created = clock;
    const reply = await app.command({ text: 'after.pdf 1h', user_id: ALLOWED });
    const id = /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] ?? '';
    await app.command({ text: `revoke ${id}`, user_id: ALLOWED });
    expect((await fetch(urlFromReply(reply.json), { method: 'PUT', body: 'late' })).status).toBe(200);
    expect(await runFor(60, 60, created)).toEqual([60]);
    const post = await app.slack.waitForCall('chat.postMessage');
    expect(String(post.args.text)).toContain("'s upload link after it was revoked");
    const [uploaded] = await app.store.audit.list({ action: 'link.uploaded', limit: 1 });
    expect(uploaded?.detail).toMatchObject({ source: 'poll', afterRevoke: true });
  });

  it('leaves page-only links to the page', async () => {
    await start({ PUBLIC_URL: 'https://upload.example.com' });
    const created = clock;
    await app.command({ text: 'settings max-size=1MB', user_id: 'U0ADMIN', channel_id: 'C0LIMITED' });
    await app.command({ text: 'limited.pdf', user_id: ALLOWED, channel_id: 'C0LIMITED' });
    expect(await runFor(120, 60, created)).toEqual([]);
  });
});
