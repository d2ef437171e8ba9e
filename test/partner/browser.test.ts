/**
 * The partner page in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core) opens the page
 * the app serves on loopback and uploads to the local verifying S3 server, cross-origin, as a partner's browser would.
 * Screenshots of each state land in test/artifacts/ (git-ignored) for a person to look at.
 *
 * Without /usr/bin/chromium the suite is skipped, unless UPLOAD_LINK_TEST_REQUIRE_BROWSER=1 (CI), which makes it fail.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOSED_MESSAGES } from '../../src/partner/page.js';
import { revokeMessages } from '../../src/slack/views/admin-reply.js';
import { ADMIN, ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { ARTIFACTS, announceBrowserSkip, HAVE_CHROMIUM, launchChromium, SKIP_REASON } from '../support/browser.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';

announceBrowserSkip('partner page browser tests');
const PUBLIC_URL = 'https://upload.example.com';
const BUCKET = 'test-uploads';

/**
 * The bucket's CORS, as an operator would set it for the page: PUT from the page's origin. The app's port is only
 * known once it listens, so any loopback port is allowed (S3 allows one `*` in an origin).
 */
const CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>http://127.0.0.1:*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>300</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/** The little of the DOM the page-side callbacks touch (the project's TypeScript lib has no DOM types). */
type PageGlobal = typeof globalThis & {
  __cspViolations: string[];
  addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
  document: { documentElement: { scrollWidth: number } };
};

/** The partner page id from a reply, read from its blocks as Slack shows them. */
function partnerId(reply: { body: string }): string {
  const match = /https:\/\/upload\.example\.com\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body);
  if (!match?.[1]) throw new Error(`no partner link in ${reply.body}`);
  return match[1];
}

/** The object key the reply promises: the `s3://bucket/key` text of its first block (keys may hold spaces). */
function promisedKey(reply: { json: Record<string, unknown> | undefined }): string {
  const match = new RegExp(`"s3://${BUCKET}/([^"]+)"`).exec(JSON.stringify(reply.json));
  if (!match?.[1]) throw new Error(`no s3:// location in ${JSON.stringify(reply.json)}`);
  return match[1];
}

/** Bytes that do not compress to nothing, so the upload takes the time the throttle gives it. */
function fileBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
  return bytes;
}

interface Visit {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The page's own HTTP response. */
  readonly response: Response | null;
  /** Every URL the page requested, in order. */
  readonly requests: string[];
  readonly consoleErrors: string[];
  /** CSP violations the page reported (securitypolicyviolation events). */
  cspViolations(): Promise<string[]>;
  screenshot(name: string): Promise<void>;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });

describe.skipIf(!HAVE_CHROMIUM)(`partner page in headless Chromium${HAVE_CHROMIUM ? '' : ` (${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let s3: LocalS3 | undefined;
  let app: TestApp | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await app?.close();
    await s3?.close();
    app = undefined;
    s3 = undefined;
  });

  const start = async (now?: () => Date): Promise<TestApp> => {
    s3 = await startLocalS3(BUCKET, CORS_XML);
    app = await startTestApp({ s3, env: { PUBLIC_URL }, ...(now === undefined ? {} : { now }) });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1' }));
    return app;
  };

  /** A fresh browser context on the page, recording what it loads, logs and violates. */
  async function visit(
    running: TestApp,
    id: string,
    device: { width: number; height: number; mobile?: boolean } = { width: 1024, height: 720 },
  ): Promise<Visit> {
    const context = await browser.newContext({
      viewport: { width: device.width, height: device.height },
      deviceScaleFactor: device.mobile ? 2 : 1,
      isMobile: device.mobile ?? false,
      hasTouch: device.mobile ?? false,
      locale: 'en-US',
      timezoneId: 'UTC',
      serviceWorkers: 'block',
    });
    contexts.push(context);
    await context.addInitScript(() => {
      const page = globalThis as PageGlobal;
      page.__cspViolations = [];
      page.addEventListener('securitypolicyviolation', (event) =>
        page.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    const page = await context.newPage();
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    const response = await page.goto(`${running.baseUrl}/u/${id}`);
    return {
      context,
      page,
      response,
      requests,
      consoleErrors,
      cspViolations: () => page.evaluate(() => (globalThis as PageGlobal).__cspViolations),
      screenshot: (name) => shot(page, name).then(() => undefined),
    };
  }

  /** Nothing but the app and the S3 endpoint, no CSP violations, and no console errors but the expected refusals. */
  async function expectContained(running: TestApp, seen: Visit, refusedStatuses: number[] = []) {
    const network = seen.requests.filter((url) => !url.startsWith('data:'));
    const origins = new Set(network.map((url) => new URL(url).origin));
    expect([...origins].filter((o) => o !== running.baseUrl && o !== running.s3.endpoint)).toEqual([]);
    expect(await seen.cspViolations()).toEqual([]);
    const expected = new RegExp(
      `^Failed to load resource: the server responded with a status of (${refusedStatuses.join('|') || 'none'}) `,
    );
    expect(seen.consoleErrors.filter((text) => !expected.test(text))).toEqual([]);
  }

  /** fetch from inside the page (its origin, its CSP, CORS to S3): status and parsed body. */
  const pageFetch = (
    page: Page,
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ) =>
    page.evaluate(
      async ({ url, init }) => {
        const response = await fetch(url, init);
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        return { status: response.status, body: body as Record<string, unknown> | string };
      },
      { url, init },
    );

  const signFromPage = (page: Page, id: string, file: { name: string; size: number; type?: string }) =>
    pageFetch(page, `/u/${id}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(file),
    });

  const stateOf = (page: Page) =>
    page.locator('#state').evaluate((el: { dataset: { state?: string }; textContent: string | null }) => ({
      state: el.dataset.state,
      text: el.textContent?.trim() ?? '',
    }));

  it('uploads a file with progress to the promised key, and the channel hears once', async () => {
    const running = await start();
    const reply = await running.command({ text: '"Rapport été 2025.pdf" 2h', user_id: ALLOWED, channel_id: 'C0ACME' });
    const id = partnerId(reply);
    const key = promisedKey(reply);

    const seen = await visit(running, id);
    const { page } = seen;
    expect(seen.response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toContain('Rapport été 2025.pdf');
    expect(await stateOf(page)).toMatchObject({ state: 'ready' });
    expect(await page.locator('#send').isDisabled()).toBe(true);
    await seen.screenshot('partner-ready');

    const bytes = fileBytes(384 * 1024);
    await page.setInputFiles('#file', {
      name: 'Rapport été 2025 – signé.pdf',
      mimeType: 'application/pdf',
      buffer: bytes,
    });
    expect(await page.locator('#chosen').textContent()).toBe('Rapport été 2025 – signé.pdf (384 KB)');
    expect(await page.locator('#send').isEnabled()).toBe(true);
    await seen.screenshot('partner-chosen');

    // Slow the upload down (about 1.5 s) so the page is seen mid-way.
    const cdp = await seen.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    const postsBefore = running.slack.calls.length;
    await page.click('#send');
    await page.waitForFunction(() => {
      const page = globalThis as unknown as { document: { getElementById(id: string): { style: { width: string } } } };
      const width = Number.parseFloat(page.document.getElementById('bar').style.width);
      return width > 0 && width < 100;
    });
    const uploading = await stateOf(page);
    expect(uploading.state).toBe('uploading');
    expect(uploading.text).toMatch(/^Uploading… \d+%$/);
    expect((await page.locator('#bar').boundingBox())?.width).toBeGreaterThan(0);
    await seen.screenshot('partner-uploading');

    await page.locator('#state[data-state="done"]').waitFor({ timeout: 10_000 });
    expect((await stateOf(page)).text).toBe(
      'Done: Rapport été 2025 – signé.pdf (384 KB) has arrived. You can close this page.',
    );
    expect(await page.locator('#upload').isVisible()).toBe(false); // done: nothing more to pick
    await seen.screenshot('partner-done');

    expect((await running.s3.getObject(key))?.equals(bytes)).toBe(true);
    const post = await running.slack.waitForCall('chat.postMessage', { after: postsBefore });
    expect(post.args.channel).toBe('C0ACME');
    expect(String(post.args.text)).toContain(`*Rapport été 2025.pdf* (384 KB) has arrived`);
    expect(String(post.args.text)).toContain(`s3://${BUCKET}/${key}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);

    // The page came from the app; the bytes went straight to S3.
    expect(seen.requests).toContain(`${running.baseUrl}/assets/partner.js`);
    expect(seen.requests).toContain(`${running.baseUrl}/assets/partner.css`);
    expect(seen.requests.some((url) => url.startsWith(`${running.s3.endpoint}/${BUCKET}/`))).toBe(true);
    await expectContained(running, seen);
  });

  it('a revoked link: an open page says so at upload time, a fresh visit shows it closed with 410', async () => {
    const running = await start();
    const id = partnerId(await running.command({ text: 'report.pdf', user_id: ALLOWED }));
    const seen = await visit(running, id);
    const { page } = seen;
    await page.setInputFiles('#file', { name: 'report.pdf', mimeType: 'application/pdf', buffer: fileBytes(2048) });

    const revoked = await running.command({ text: `revoke ${id}`, user_id: ALLOWED });
    expect(revoked.json?.text).toContain(revokeMessages.revoked('report.pdf'));
    await page.click('#send');
    await page.locator('#state[data-state="revoked"]').waitFor();
    expect((await stateOf(page)).text).toBe(CLOSED_MESSAGES.revoked);
    expect(await page.locator('#upload').isVisible()).toBe(false); // nothing left to pick
    expect(await page.locator('#progress').isVisible()).toBe(false);
    await seen.screenshot('partner-revoked-while-open');

    const again = await page.reload();
    expect(again?.status()).toBe(410);
    expect(await stateOf(page)).toEqual({ state: 'revoked', text: CLOSED_MESSAGES.revoked });
    expect(await page.locator('#file').count()).toBe(0);
    await seen.screenshot('partner-closed-revoked');
    expect(await signFromPage(page, id, { name: 'report.pdf', size: 3 })).toMatchObject({
      status: 410,
      body: { error: 'revoked' },
    });
    expect(await running.s3.listKeys()).toEqual([]);
    await expectContained(running, seen, [410]);
  });

  it('an expired link: an open page says so at upload time, a fresh visit shows it closed with 410', async () => {
    let clock = Date.now();
    const running = await start(() => new Date(clock));
    const id = partnerId(await running.command({ text: 'late.pdf 1m', user_id: ALLOWED }));
    const seen = await visit(running, id);
    const { page } = seen;
    expect(seen.response?.status()).toBe(200);
    await page.setInputFiles('#file', { name: 'late.pdf', mimeType: 'application/pdf', buffer: fileBytes(2048) });

    clock += 2 * 60_000;
    await page.click('#send');
    await page.locator('#state[data-state="expired"]').waitFor();
    expect((await stateOf(page)).text).toBe(CLOSED_MESSAGES.expired);

    const again = await page.reload();
    expect(again?.status()).toBe(410);
    expect(await stateOf(page)).toEqual({ state: 'expired', text: CLOSED_MESSAGES.expired });
    await seen.screenshot('partner-expired');
    expect(await signFromPage(page, id, { name: 'late.pdf', size: 3 })).toMatchObject({
      status: 410,
      body: { error: 'expired' },
    });
    await expectContained(running, seen, [410]);
  });

  it('channel limits: the page refuses first, the bot refuses a bypass, S3 refuses any other body', async () => {
    const running = await start();
    await running.command({ text: 'settings max-size=1KB types=txt', user_id: ADMIN, channel_id: 'C0ACME' });
    const id = partnerId(await running.command({ text: 'notes.txt', user_id: ALLOWED, channel_id: 'C0ACME' }));
    const seen = await visit(running, id);
    const { page } = seen;
    expect(await page.locator('.meta').nth(1).textContent()).toContain('Accepted: at most 1 KB, only txt.');

    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: fileBytes(2048) });
    expect(await stateOf(page)).toEqual({
      state: 'error',
      text: 'This file is 2 KB; this link accepts at most 1 KB.',
    });
    expect(await page.locator('#send').isDisabled()).toBe(true);
    await seen.screenshot('partner-too-large');

    await page.setInputFiles('#file', { name: 'notes.pdf', mimeType: 'application/pdf', buffer: fileBytes(100) });
    expect(await stateOf(page)).toEqual({ state: 'error', text: 'This link accepts only txt files.' });
    expect(await page.locator('#send').isDisabled()).toBe(true);
    await seen.screenshot('partner-wrong-type');
    expect(seen.requests.filter((url) => url.includes('/sign'))).toEqual([]); // refused before asking the bot

    // Past the page's own checks, the bot refuses before signing.
    expect(await signFromPage(page, id, { name: 'notes.txt', size: 2048, type: 'text/plain' })).toEqual({
      status: 400,
      body: { error: 'too-large', message: 'This file is too large: this link accepts at most 1 KB.' },
    });
    expect(await signFromPage(page, id, { name: 'notes.pdf', size: 100, type: 'application/pdf' })).toEqual({
      status: 400,
      body: { error: 'wrong-type', message: "This type of file isn't accepted here: only txt." },
    });

    // A signature for 5 bytes of text/plain: from the browser, S3 refuses another length or another type.
    const signed = await signFromPage(page, id, { name: 'notes.txt', size: 5, type: 'text/plain' });
    expect(signed.status).toBe(200);
    const { url, headers } = signed.body as { url: string; headers: Record<string, string> };
    expect(new URL(url).origin).toBe(running.s3.endpoint);
    expect((await pageFetch(page, url, { method: 'PUT', headers, body: 'sixsix' })).status).toBe(403);
    const otherType = { ...headers, 'Content-Type': 'application/pdf' };
    expect((await pageFetch(page, url, { method: 'PUT', headers: otherType, body: 'hello' })).status).toBe(403);
    expect(await running.s3.listKeys()).toEqual([]);

    // And a file within the limits goes through the page.
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.click('#send');
    await page.locator('#state[data-state="done"]').waitFor({ timeout: 10_000 });
    expect((await running.s3.listKeys()).length).toBe(1);
    await expectContained(running, seen, [400, 403]);
  });

  it('works on a phone: nothing overflows, the drop zone and button are on screen', async () => {
    const running = await start();
    const name = '"Jahresabschluss 2025 – Müller & Söhne GmbH (unterschriebene Fassung).xlsx"';
    const id = partnerId(await running.command({ text: name, user_id: ALLOWED }));
    const seen = await visit(running, id, { width: 390, height: 844, mobile: true });
    const { page } = seen;
    expect(seen.response?.status()).toBe(200);
    await page.setInputFiles('#file', {
      name: 'Jahresabschluss 2025 – Müller & Söhne GmbH (unterschriebene Fassung).xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: fileBytes(40_000),
    });
    expect(
      await page.evaluate(() => (globalThis as PageGlobal).document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(390);
    for (const selector of ['#drop', '#send']) {
      const element = page.locator(selector);
      expect(await element.isVisible()).toBe(true);
      const box = await element.boundingBox();
      if (box === null) throw new Error(`${selector} has no box`);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(box.y + box.height).toBeLessThanOrEqual(844);
      expect(box.height).toBeGreaterThanOrEqual(44); // a comfortable touch target
    }
    await seen.screenshot('partner-phone');
    await expectContained(running, seen);
  });
});
