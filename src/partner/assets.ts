/** The partner page's script and stylesheet, built into dist/partner/assets/ (scripts/build.ts) and served as is. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PartnerAssets {
  readonly js: string;
  readonly css: string;
  /** The page's MD5 worker: a script of its own, since the CSP allows workers from 'self' only (no blob:). */
  readonly md5Worker: string;
}

/**
 * Where the build puts them: dist/partner/assets/, found from this module (dist/partner/assets.js) and from the
 * server's bundle it is part of (dist/main/server.js) alike.
 */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../partner/assets/', import.meta.url));

/** Read once at start: a missing build is a start-up error, not a broken page later. */
export function loadPartnerAssets(dir = DEFAULT_ASSETS_DIR): PartnerAssets {
  try {
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    return { js: read('partner.js'), css: read('partner.css'), md5Worker: read('partner-md5-worker.js') };
  } catch (error) {
    throw new Error(`the partner page's assets are missing from ${dir}: run npm run build`, { cause: error });
  }
}
