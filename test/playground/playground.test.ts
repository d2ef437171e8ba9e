/**
 * The playground (`npm run playground`): the real bot, the embedded S3 and the Slack stand-in, driven through the
 * console in headless Chromium (Debian's `chromium`, driven by playwright-core) the way a newcomer would use it.
 * Screenshots of each step land in test/artifacts/playground-*.png (git-ignored) for a person to look at.
 *
 * Without /usr/bin/chromium the browser suite is skipped, unless UPLOAD_LINK_TEST_REQUIRE_BROWSER=1 (CI), which makes
 * it fail. The process test (Ctrl-C stops everything and removes the temporary folder) needs no browser.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playground, startPlayground } from '../../playground/playground.js';
import { escapeCommandText } from '../../playground/slack-text.js';
import { ARTIFACTS, announceBrowserSkip, HAVE_CHROMIUM, launchChromium, SKIP_REASON } from '../support/browser.js';

const ROOT = resolve(import.meta.dirname, '../..');
announceBrowserSkip('playground browser tests');

/** The little of the DOM the page-side callbacks touch (the project's TypeScript lib has no DOM types). */
type PageGlobal = typeof globalThis & { __xss?: number };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `playground-${name}.png`), animations: 'disabled' });

describe('what the console types becomes what Slack would send', () => {
  it.each([
    ['allow @stranger', 'allow <@U0PGSTRANGER|stranger>'],
    ['allow @designers #acme', 'allow <!subteam^S0PGDESIGN|@designers> <#C0PGACME|acme>'],
    ['allow @stranger, @grace #other.', 'allow <@U0PGSTRANGER|stranger>, <@U0PGGRACE|grace> <#C0PGOTHER|other>.'],
    ['report.pdf 2h', 'report.pdf 2h'],
    ['notes.md', '<http://notes.md|notes.md>'],
    ['revoke https://example.com/u/abc', 'revoke <https://example.com/u/abc>'],
    ['a<b> & "c"', 'a&lt;b&gt; &amp; "c"'],
    ['@nobody #nowhere bob@acme.com', '@nobody #nowhere bob@acme.com'],
  ])('%s → %s', (typed, sent) => {
    expect(escapeCommandText(typed)).toBe(sent);
  });
});

/**
 * One playground for the whole walk-through, as a newcomer would use it: each step builds on the one before (the
 * stranger allowed in the first is removed from the Home tab later; Grace, allowed in #other there, gets her arrival
 * notice by DM in the step after). Run the file as a whole.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `playground console in headless Chromium${HAVE_CHROMIUM ? '' : ` (${SKIP_REASON})`}`,
  () => {
    let playground: Playground;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      [playground, browser] = await Promise.all([startPlayground({ port: 0 }), launchChromium()]);
      context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.goto(playground.consoleUrl);
      await page.waitForSelector('body[data-ready="true"]');
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      const tempDir = playground?.tempDir;
      await playground?.close();
      if (tempDir !== undefined) expect(existsSync(tempDir)).toBe(false);
    });

    const feedEntries = (kind: string) => page.locator(`#feed article[data-kind="${kind}"]`);

    async function become(handle: string, place = 'C0PGACME') {
      await page.click(`[data-person="${handle}"]`);
      await page.click(`.sidebar [data-place="${place}"]`);
    }

    /** Type a command as Slack's composer would take it, and wait for the bot's ephemeral answer. */
    async function command(text: string) {
      const replies = feedEntries('ephemeral');
      const before = await replies.count();
      await page.fill('#composer-input', text);
      await page.press('#composer-input', 'Enter');
      await expect.poll(() => replies.count(), { timeout: 10_000 }).toBeGreaterThan(before);
      return replies.last();
    }

    it('a stranger is refused, an admin allows them, they create a link, and a raw URL upload lands in the bucket', async () => {
      await become('stranger');
      await page.locator('#feed .intro').waitFor();
      await shot(page, '00-console-start');
      const refused = await command('/upload-link report.pdf');
      expect(await refused.textContent()).toContain(
        "You can't create upload links here. Ask an admin for access: @admin",
      );
      await shot(page, '01-stranger-refused');

      await become('admin');
      const allowed = await command('/upload-link allow @stranger');
      expect(await allowed.textContent()).toContain('@stranger may now create upload links in #acme');
      // The console sent the mention escaped as Slack does.
      await expect
        .poll(() => page.locator('#feed article[data-kind="command"]').last().textContent())
        .toContain('sent as allow <@U0PGSTRANGER|stranger>');
      await shot(page, '02-admin-allows-stranger');

      await become('stranger');
      const reply = await command('/upload-link report.pdf 2h');
      const text = await reply.textContent();
      expect(text).toContain('Upload link for report.pdf');
      expect(text).toContain('Partner page:');
      expect(text).toContain('Upload URL (PUT)');
      expect(await reply.locator('button[data-action-id="revoke_partner_link"]').textContent()).toBe('Revoke');
      // Slack's date sequences are shown as dates, not as their raw <!date^…> form.
      expect(text).not.toContain('<!date');
      await shot(page, '03-stranger-creates-link');

      const bytes = Buffer.from('%PDF-1.7 playground bytes\n');
      await reply
        .locator('[data-raw-file]')
        .setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: bytes });
      await reply.locator('[data-raw-put]').click();
      await expect.poll(() => reply.locator('[data-tools-status]').getAttribute('data-result')).toBe('ok');
      const object = page.locator('#bucket-list .object', { hasText: 'report.pdf' });
      await object.waitFor();
      expect(await object.textContent()).toContain(`${bytes.length} B`);
      const key = await object.getAttribute('data-key');
      expect(key).toMatch(/^uploads\/C0PGACME\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\/report\.pdf$/);
      const stored = await fetch(`${playground.consoleUrl}api/object?key=${encodeURIComponent(key ?? '')}`);
      expect(Buffer.from(await stored.arrayBuffer())).toEqual(bytes);
      await shot(page, '04-raw-url-upload-in-bucket');
      // The embedded S3's event reached the bot as a webhook would: the raw-URL upload is announced too.
      const announced = feedEntries('message').filter({ hasText: 'report.pdf (26 B) has arrived' });
      await announced.waitFor({ timeout: 10_000 });
      expect(await announced.textContent()).toMatch(/report\.pdf \(26 B\) has arrived through @stranger's upload link/);
      await shot(page, '04b-raw-url-upload-announced');
    }, 60_000);

    it('a partner page upload announces its arrival in the channel; the Revoke button closes the page', async () => {
      await become('stranger');
      const reply = await command('/upload-link contract.pdf 1d');
      const [partner] = await Promise.all([context.waitForEvent('page'), reply.locator('[data-partner-link]').click()]);
      await partner.setViewportSize({ width: 900, height: 700 });
      await partner.waitForSelector('input[type="file"]', { state: 'attached' });
      // The embedded S3 cannot list or abort multipart uploads: the page says it takes single uploads only.
      expect(await partner.locator('#single-only').textContent()).toBe(
        'This storage takes each file in one upload of at most 5 GB: large files cannot be resumed here.',
      );
      const bytes = Buffer.from('signed by both parties');
      await partner.setInputFiles('input[type="file"]', {
        name: 'contract.pdf',
        mimeType: 'application/pdf',
        buffer: bytes,
      });
      await partner.click('button[type="submit"]');
      await partner.waitForSelector('[data-state="done"]', { timeout: 15_000 });
      await partner.screenshot({
        path: join(ARTIFACTS, 'playground-05-partner-page-done.png'),
        animations: 'disabled',
      });

      const arrival = feedEntries('message').filter({ hasText: 'contract.pdf' });
      await arrival.waitFor({ timeout: 10_000 });
      expect(await arrival.textContent()).toMatch(/contract\.pdf \(22 B\) has arrived through @stranger's upload link/);
      await page.locator('#bucket-list .object', { hasText: 'contract.pdf' }).waitFor();
      await shot(page, '06-arrival-notice');

      // A fresh link, revoked from its reply's button: a real block_actions payload, answered through response_url.
      const second = await command('/upload-link invoice.pdf');
      const partnerUrl = await second.locator('[data-partner-link]').getAttribute('href');
      await second.locator('button[data-action-id="revoke_partner_link"]').click();
      await page.locator('#confirm [data-confirm]').waitFor();
      await shot(page, '07-revoke-confirm');
      await page.click('#confirm [data-confirm]');
      // The reply that gave the link out is replaced through its response_url: it says so, with no button left.
      await expect
        .poll(() => second.textContent(), { timeout: 10_000 })
        .toContain('Revoked: the partner page for invoice.pdf signs no new uploads');
      expect(await second.locator('button[data-action-id="revoke_partner_link"]').count()).toBe(0);
      expect((await fetch(partnerUrl ?? '')).status).toBe(410);
      await shot(page, '08-revoked');
      await partner.close();
    }, 60_000);

    it('App Home: the admin allows someone with the pickers, edits channel settings in a modal, removes an entry', async () => {
      await become('admin', 'home');
      const view = page.locator('#home .view');
      await view.waitFor();
      expect(await view.textContent()).toContain('Upload links: who may create them');
      await shot(page, '09-home-admin');

      // Pickers → view.state.values; the button → block_actions with the view.
      await page.locator('#home [data-action-id="allow_users"] label', { hasText: '@grace' }).click();
      await page.selectOption('#home select[data-action-id="allow_channel"]', 'C0PGOTHER');
      await page.click('#home button[data-action-id="home_allow"]');
      await expect.poll(() => view.textContent()).toContain('@grace may now create upload links in #other');

      // Edit settings → views.open → the modal; a bad value comes back as an inline error.
      await page
        .locator('#home .section', { hasText: '#acme' })
        .locator('button[data-action-id="home_edit_settings"]')
        .click();
      const modal = page.locator('#modal form');
      await modal.waitFor();
      await modal.locator('[data-action-id="default_expiry"]').fill('10y');
      await modal.locator('[data-modal-submit]').click();
      await modal.locator('.input-error').waitFor();
      await shot(page, '10-settings-modal-error');
      await modal.locator('[data-action-id="default_expiry"]').fill('2h');
      await modal.locator('[data-modal-submit]').click();
      await modal.waitFor({ state: 'detached' });
      await expect.poll(() => view.textContent()).toContain('default expiry: 2 hours');

      // Remove the stranger's #acme entry (a danger button with a confirmation dialog).
      await page
        .locator('#home .section', { hasText: '@stranger' })
        .locator('button[data-action-id="home_remove_entry"]')
        .click();
      await page.click('#confirm [data-confirm]');
      await expect.poll(() => view.textContent()).toContain('@stranger may no longer create upload links in #acme');
      await shot(page, '11-home-admin-after-changes');

      await become('stranger', 'home');
      await expect.poll(() => page.locator('#home .view').textContent()).toContain('Where you can create upload links');
      expect(await page.locator('#home .view').textContent()).toContain('contract.pdf');
      await shot(page, '12-home-member');
    }, 60_000);

    it('a user group member gets in once the admin allows the group', async () => {
      await become('grace');
      expect(await (await command('/upload-link brief.pdf')).textContent()).toContain(
        "You can't create upload links here",
      );
      await become('admin');
      expect(await (await command('/upload-link allow @designers')).textContent()).toContain(
        '@designers may now create upload links in #acme',
      );
      await become('grace');
      expect(await (await command('/upload-link brief.pdf')).textContent()).toContain('Upload link for brief.pdf');
      await shot(page, '13-group-member-allowed');
    }, 60_000);

    it('where the bot is not a member, the arrival notice comes by direct message (conversations.open)', async () => {
      // The Home test allowed Grace in #other, a channel the bot was never added to.
      await become('grace', 'C0PGOTHER');
      const reply = await command('/upload-link sketch.png');
      const [partner] = await Promise.all([context.waitForEvent('page'), reply.locator('[data-partner-link]').click()]);
      await partner.waitForSelector('input[type="file"]', { state: 'attached' });
      await partner.setInputFiles('input[type="file"]', {
        name: 'sketch.png',
        mimeType: 'image/png',
        buffer: Buffer.from('png'),
      });
      await partner.click('button[type="submit"]');
      await partner.waitForSelector('[data-state="done"]', { timeout: 15_000 });
      await partner.close();
      const dm = page.locator('.sidebar [data-place="dm"]');
      await expect.poll(() => dm.textContent()).toMatch(/1$/);
      await dm.click();
      const notice = feedEntries('message').filter({ hasText: 'sketch.png' });
      await notice.waitFor();
      expect(await notice.textContent()).toContain("I couldn't post in #other");
      await shot(page, '14-arrival-by-dm');
    }, 60_000);

    it('shows what Slack payloads say as text, never as markup', async () => {
      await become('admin', 'dm');
      const name = '<img src=x onerror=window.__xss=1>.pdf';
      const reply = await command(`/upload-link "${name}"`);
      expect(await reply.textContent()).toContain(`Upload link for ${name}`);
      expect(await page.locator('#feed img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as PageGlobal).__xss)).toBeUndefined();
      await shot(page, '15-escaped-text');

      // The bot's own log, and the Web API calls it made, are in the side panel.
      await page.click('#log-panel summary');
      expect(await page.locator('#log').textContent()).toContain('[slack api] views.publish → ok');
      expect(await page.locator('#log').textContent()).not.toMatch(/X-Amz-Signature=[0-9a-f]/);
      await shot(page, '16-bot-log');
      expect(pageErrors).toEqual([]);
    }, 30_000);
  },
);

describe('npm run playground', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid, 'SIGKILL');
      }
    }
  });

  /** Start it in its own process group (as a terminal would), and wait until it says where everything is. */
  async function launch(command: string, args: string[]) {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, PLAYGROUND_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    // 'close', not 'exit': once every holder of its output (npm, tsx, node) is gone and all of it has been read.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('close', (code, signal) => done({ code, signal })),
    );
    await expect.poll(() => output, { timeout: 45_000, interval: 50 }).toMatch(/Temp\s+\S+/);
    const ms = Date.now() - started;
    const consoleUrl = /Console\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1] as string;
    const tempDir = /Temp\s+(\S+)/.exec(output)?.[1] as string;
    expect(consoleUrl).toBeDefined();
    expect(output).toMatch(/Bot\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/S3\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(existsSync(tempDir)).toBe(true);
    const state = await fetch(`${consoleUrl}api/state`);
    expect(((await state.json()) as { ready: boolean }).ready).toBe(true);
    return { child, exited, consoleUrl, tempDir, ms, output: () => output };
  }

  it('prints where everything is, and Ctrl-C stops it all and removes the temporary folder', async () => {
    const run = await launch('npm', ['run', 'playground']);
    process.stderr.write(`npm run playground printed its URLs after ${run.ms} ms\n`);
    // Ctrl-C in a terminal: SIGINT to the whole process group (npm, tsx, node).
    process.kill(-(run.child.pid as number), 'SIGINT');
    const exit = await run.exited;
    expect(run.output()).toContain('Stopped; temporary files removed.');
    expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
    expect(existsSync(run.tempDir)).toBe(false);
    await expect(fetch(`${run.consoleUrl}api/state`)).rejects.toThrow();
  }, 90_000);

  it('SIGTERM (to the process alone, as a supervisor sends it) stops it too', async () => {
    const run = await launch(join(ROOT, 'node_modules/.bin/tsx'), ['playground/main.ts']);
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(run.output()).toContain('SIGTERM: stopping the playground');
    expect(exit.code).toBe(0);
    expect(existsSync(run.tempDir)).toBe(false);
  }, 90_000);
});
