/**
 * The partner page sending large files in parts, in headless Chromium, against a real S3 (the run's Ceph RGW): the
 * page's own script, the bot's routes, parts PUT cross-origin straight to S3 under the page's strict CSP.
 * Each test watches every part PUT the page makes, to show what was (and was not) sent again.
 *
 * Needs Chromium (/usr/bin/chromium) and a Ceph RGW; skipped with a message without them, unless CI requires them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createObjectOps } from '../../src/aws/objects.js';
import { CLOSED_MESSAGES } from '../../src/partner/page.js';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { announceBrowserSkip, HAVE_CHROMIUM, launchChromium, SKIP_REASON } from '../support/browser.js';
import { fileBytes, partnerId, promisedKey } from '../support/partner-page.js';
import { hasRgw, RGW_SKIP_REASON, type RgwS3, startRgwS3 } from '../support/rgw-s3.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

announceBrowserSkip('partner page multipart browser tests');
const PUBLIC_URL = 'https://upload.example.com';
const MiB = 1024 * 1024;
const READY = HAVE_CHROMIUM && hasRgw();
const WHY = !HAVE_CHROMIUM ? SKIP_REASON : !hasRgw() ? RGW_SKIP_REASON : '';

/** One part PUT the page made: which part, when it started, and how S3 answered (0: no answer). */
interface PartPut {
  readonly part: number;
  readonly startedAt: number;
  readonly url: string;
  status?: number;
}

interface Run {
  readonly app: TestApp;
  readonly s3: RgwS3;
  /** Where the bot and the page reach S3: the gateway, or a TCP proxy before it that can be cut. */
  readonly endpoint: string;
  readonly proxy: TcpProxy | undefined;
  readonly page: Page;
  readonly context: BrowserContext;
  readonly puts: PartPut[];
  /** Requests the page made to the bot, as `METHOD path`. */
  readonly botCalls: string[];
  readonly id: string;
  readonly key: string;
  readonly path: string;
  readonly bytes: Buffer;
}

const stateOf = (page: Page) =>
  page.locator('#state').evaluate((el: { dataset: { state?: string }; textContent: string | null }) => ({
    state: el.dataset.state,
    text: el.textContent?.trim() ?? '',
  }));

const okParts = (puts: readonly PartPut[]) => puts.filter((p) => p.status === 200).map((p) => p.part);
const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Hundreds of MiB through a throttled browser: seconds here, more on a busy machine. */
const SLOW = { timeout: 180_000 };

describe.skipIf(!READY)(`partner page, multipart, in Chromium on Ceph RGW${READY ? '' : ` (${WHY})`}`, SLOW, () => {
  let browser: Browser;
  let dir: string;
  let files = 0;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'upload-link-multipart-'));
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Every step, even when one fails, so nothing of this test is left for the next.
    const failures = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      const [result] = await Promise.allSettled([cleanup()]);
      if (result.status === 'rejected') failures.push(result.reason);
    }
    if (failures.length > 0) throw failures[0];
  }, SLOW.timeout);

  /** The bot on RGW, a link, a file of `size` bytes on disk, and the page open on it, recording its requests. */
  async function open(
    size: number,
    options: { sweepIntervalMs?: number; throttleBytesPerSecond?: number; proxy?: boolean } = {},
  ) {
    const s3 = await startRgwS3();
    cleanups.push(() => s3.close());
    const gateway = new URL(s3.endpoint);
    const proxy = options.proxy ? await startTcpProxy(gateway.hostname, Number(gateway.port)) : undefined;
    if (proxy) cleanups.push(() => proxy.close());
    const endpoint = proxy ? `http://127.0.0.1:${proxy.port}` : s3.endpoint;
    const app = await startTestApp({
      s3: { ...s3, endpoint },
      credentials: s3.credentials,
      env: { PUBLIC_URL },
      ...(options.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.sweepIntervalMs }),
    });
    cleanups.push(() => app.close());
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1' }));
    const reply = await app.command({ text: '"Site survey.mp4" 2h', user_id: ALLOWED, channel_id: 'C0ACME' });
    const bytes = fileBytes(size);
    // A file of its own per test: a later test rewriting it must not change one an earlier page still holds.
    const path = join(dir, `${++files}`, `survey-${size}.mp4`);
    await mkdir(join(dir, `${files}`));
    await writeFile(path, bytes);
    const context = await browser.newContext({ serviceWorkers: 'block' });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    const run: Run = {
      app,
      s3,
      endpoint,
      proxy,
      page,
      context,
      puts: [],
      botCalls: [],
      id: partnerId(reply),
      key: promisedKey(reply, s3.bucket),
      path,
      bytes,
    };
    watch(run);
    await page.goto(`${app.baseUrl}/u/${run.id}`);
    if (options.throttleBytesPerSecond !== undefined) await throttle(page, options.throttleBytesPerSecond);
    return run;
  }

  function watch(run: Run) {
    const byRequest = new Map<unknown, PartPut>();
    run.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === run.app.baseUrl && url.pathname.startsWith('/u/')) {
        run.botCalls.push(`${request.method()} ${url.pathname.replace(`/u/${run.id}`, '')}`);
      }
      const part = url.searchParams.get('partNumber');
      if (url.origin !== run.endpoint || request.method() !== 'PUT' || part === null) return;
      const put: PartPut = { part: Number(part), startedAt: Date.now(), url: request.url() };
      run.puts.push(put);
      byRequest.set(request, put);
    });
    run.page.on('response', (response) => {
      console.log('BOT', response.status(), response.request().method(), response.url().slice(-60));
      const put = byRequest.get(response.request());
      if (put) put.status = response.status();
    });
    run.page.on('requestfailed', (request) => {
      const put = byRequest.get(request);
      if (put) put.status = 0;
    });
  }

  /** Upload throughput (and the network itself) through the DevTools protocol, as a partner's slow link would be. */
  async function throttle(page: Page, bytesPerSecond: number, offline = false) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
    return cdp;
  }

  async function pickAndSend(run: Run) {
    await run.page.setInputFiles('#file', run.path);
    await run.page.click('#send');
  }

  const done = (run: Run) => run.page.locator('#state[data-state="done"]').waitFor({ timeout: 120_000 });

  async function expectArrived(run: Run) {
    expect((await run.s3.getObject(run.key))?.equals(run.bytes)).toBe(true);
    expect(await run.s3.openUploads()).toEqual([]);
    const post = await run.app.slack.waitForCall('chat.postMessage');
    expect(String(post.args.text)).toContain('*Site survey.mp4*');
  }

  it('300 MiB in 5 parts arrives byte-identical at the promised key, with bytes, speed and time left shown', async () => {
    const run = await open(300 * MiB, { throttleBytesPerSecond: 60 * MiB });
    await pickAndSend(run);
    await run.page
      .locator('#stats')
      .filter({ hasText: / left$/ })
      .waitFor({ timeout: 60_000 });
    expect(await run.page.locator('#stats').textContent()).toMatch(
      /^[\d.]+ [KMG]?B of 300 MB · [\d.]+ [KMG]?B\/s · \d+ (s|min) left$/,
    );
    expect((await stateOf(run.page)).text).toMatch(/^Uploading… \d+%$/);
    await done(run);
    expect((await stateOf(run.page)).text).toBe(
      'Done: survey-314572800.mp4 (300 MB) has arrived. You can close this page.',
    );
    await expectArrived(run);
    // Five parts, each PUT once; several in flight at once.
    expect(okParts(run.puts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(run.puts).toHaveLength(5);
    const secondStarted = run.puts.filter((p) => p.startedAt <= (run.puts[0]?.startedAt ?? 0) + 2000).length;
    expect(secondStarted).toBeGreaterThan(1);
    expect(run.botCalls.filter((c) => c.startsWith('POST /multipart/') && c.includes('/parts/'))).toHaveLength(5);
    expect(run.botCalls.at(-1)).toMatch(/^POST \/multipart\/.+\/complete$/);
    expect((await run.s3.head(run.key))?.ContentType).toBe('video/mp4');
  });

  it('the network cut mid-upload and back: it completes, and only parts that had not arrived are sent again', {
    timeout: 120_000,
  }, async () => {
    const run = await open(200 * MiB, { throttleBytesPerSecond: 30 * MiB, proxy: true });
    await pickAndSend(run);
    await waitFor(() => okParts(run.puts).length >= 1);
    // The network goes: every connection to S3 drops, and none can be made (the bot's own S3 calls fail too).
    await run.proxy?.cut();
    const arrivedBefore = okParts(run.puts);
    const cutAt = Date.now();
    await run.page.locator('#state[data-state="waiting"]').waitFor({ timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await run.proxy?.restore();
    await done(run);
    await expectArrived(run);
    // Every part arrived exactly once; none that had arrived before the cut was PUT again.
    expect(okParts(run.puts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    const afterCut = run.puts.filter((p) => p.startedAt > cutAt).map((p) => p.part);
    expect(afterCut.filter((part) => arrivedBefore.includes(part))).toEqual([]);
    expect(afterCut.length).toBeGreaterThan(0);
  });

  it('reloaded mid-upload and the same file picked again: it resumes from the parts S3 holds', async () => {
    const run = await open(200 * MiB, { throttleBytesPerSecond: 30 * MiB });
    await pickAndSend(run);
    await waitFor(() => okParts(run.puts).length >= 2);
    const arrivedBefore = okParts(run.puts);
    await run.page.reload();
    const reloadedAt = Date.now();
    await throttle(run.page, 30 * MiB);
    expect(await stateOf(run.page)).toEqual({
      state: 'resumable',
      text: 'An upload of survey-209715200.mp4 (200 MB) was interrupted. Pick the same file to continue where it stopped.',
    });
    await pickAndSend(run);
    await done(run);
    await expectArrived(run);
    const after = run.puts.filter((p) => p.startedAt > reloadedAt).map((p) => p.part);
    expect(after.filter((part) => arrivedBefore.includes(part))).toEqual([]);
    expect([...arrivedBefore, ...okParts(run.puts.filter((p) => p.startedAt > reloadedAt))].sort()).toEqual([
      1, 2, 3, 4,
    ]);
    // One upload in all: after the reload the page asked S3 (through the bot) what it had, and created nothing.
    expect(run.botCalls.filter((c) => c === 'POST /multipart')).toHaveLength(1);
    expect(run.botCalls.some((c) => /^GET \/multipart\/.+\/parts$/.test(c))).toBe(true);
  });

  it('revoked mid-upload: nothing is signed after the revoke, the page says so, and the upload is aborted', async () => {
    const run = await open(200 * MiB, { throttleBytesPerSecond: 20 * MiB, sweepIntervalMs: 200 });
    await pickAndSend(run);
    await waitFor(() => okParts(run.puts).length >= 1);
    await run.app.command({ text: `revoke ${run.id}`, user_id: ALLOWED });
    const revokedAt = Date.now();
    await run.page.locator('#state[data-state="revoked"]').waitFor({ timeout: 60_000 });
    expect((await stateOf(run.page)).text).toBe(CLOSED_MESSAGES.revoked);
    await waitFor(async () => (await run.s3.openUploads()).length === 0, 10_000);
    expect(await run.s3.head(run.key)).toBeUndefined();
    // Every part PUT used a URL signed before the revoke, so none could start later than a minute after it.
    for (const put of run.puts) {
      const signedAt = Date.parse(
        (new URL(put.url).searchParams.get('X-Amz-Date') ?? '').replace(
          /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
          '$1-$2-$3T$4:$5:$6Z',
        ),
      );
      expect(signedAt).toBeLessThanOrEqual(revokedAt + 1000);
      expect(put.startedAt).toBeLessThan(revokedAt + 60_000);
    }
  });

  it('a corrupted part is refused (BadDigest) and sent again; an expired part URL is signed again', async () => {
    const run = await open(150 * MiB);
    const objects = createObjectOps(
      new S3Client({
        endpoint: run.s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: run.s3.credentials,
      }),
      run.s3.bucket,
    );
    // Part 2's first signature: swapped for one made two minutes ago, so S3 says "Request has expired".
    await run.page.route(
      /\/multipart\/[^/]+\/parts\/2$/,
      async (route) => {
        const uploadId = decodeURIComponent(route.request().url().split('/multipart/')[1]?.split('/')[0] ?? '');
        const { md5 } = route.request().postDataJSON() as { md5: string };
        const past = new Date(Date.now() - 120_000);
        const part = { partNumber: 2, length: 64 * MiB, contentMd5: md5 };
        const expired = await objects.signPart(run.key, uploadId, part, 60, past);
        await route.fulfill({ json: { url: expired.url, method: 'PUT', headers: expired.headers } });
      },
      { times: 1 },
    );
    // Part 3's first PUT: one byte flipped on the way, under the same Content-MD5.
    await run.page.route(
      /partNumber=3/,
      async (route) => {
        const body = Buffer.from(route.request().postDataBuffer() ?? Buffer.alloc(0));
        body[12345] = (body[12345] ?? 0) ^ 0x01;
        await route.continue({ postData: body });
      },
      { times: 1 },
    );
    await pickAndSend(run);
    await done(run);
    await expectArrived(run);
    const statuses = (part: number) => run.puts.filter((p) => p.part === part).map((p) => p.status);
    // RGW 16 sends no CORS headers with its 403, so the page sees a failed request (0) where AWS lets it read
    // "Request has expired"; either way it signs again. (With routes on, Playwright misses some requests of the
    // page, so the untouched part 1 is counted by its signing calls only.)
    expect(statuses(2)).toEqual([0, 200]);
    expect(statuses(3)).toEqual([400, 200]);
    const signs = (part: number) => run.botCalls.filter((c) => c.endsWith(`/parts/${part}`)).length;
    expect([signs(1), signs(2), signs(3)]).toEqual([1, 2, 2]);
  });

  it('Cancel aborts the upload: S3 keeps nothing, the page can start again', async () => {
    const run = await open(200 * MiB, { throttleBytesPerSecond: 20 * MiB });
    await pickAndSend(run);
    await waitFor(() => run.puts.length >= 1);
    await run.page.click('#cancel');
    await run.page.locator('#state[data-state="cancelled"]').waitFor();
    await waitFor(async () => (await run.s3.openUploads()).length === 0, 10_000);
    expect(run.botCalls.some((c) => /^DELETE \/multipart\/.+$/.test(c))).toBe(true);
    expect(await run.page.locator('#send').isEnabled()).toBe(true);
    expect(await run.s3.head(run.key)).toBeUndefined();
  });
});
