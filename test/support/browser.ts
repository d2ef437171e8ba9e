/**
 * Headless Chromium for the browser tests: Debian's `chromium`, driven by playwright-core. Without /usr/bin/chromium
 * a browser suite is skipped with a message, unless UPLOAD_LINK_TEST_REQUIRE_BROWSER=1 (CI), which makes it fail.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_REASON = `skipped: ${CHROMIUM} not found (apt-get install chromium)`;

/** Where screenshots go for a person to look at (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

/** Call at a browser suite's top level: throws in CI when Chromium is missing, else says the suite is skipped. */
export function announceBrowserSkip(suite: string): void {
  if (HAVE_CHROMIUM) return;
  if (process.env.UPLOAD_LINK_TEST_REQUIRE_BROWSER === '1') {
    throw new Error(
      `${CHROMIUM} not found, and UPLOAD_LINK_TEST_REQUIRE_BROWSER=1 requires it: apt-get install chromium`,
    );
  }
  process.stderr.write(`${suite} ${SKIP_REASON}\n`);
}

/**
 * The closed network refuses Chromium's own connections, so its background services are off; and whatever a page
 * might try, nothing leaves loopback: every host name but 127.0.0.1 fails to resolve, and anything not on loopback
 * (which Chromium never proxies) goes to a proxy that is not there.
 */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--proxy-server=http://127.0.0.1:9',
];

export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 15_000 });
}
