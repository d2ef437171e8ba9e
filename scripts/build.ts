/**
 * The build's second half (after `tsc`): the partner page's browser code, bundled with esbuild into one script the
 * bot serves itself (the page's CSP allows no other origin), and its stylesheet beside it, in dist/partner/assets/.
 * The playground and the tests call `buildPartnerAssets` too, so they serve exactly what a deploy serves.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const ROOT = resolve(import.meta.dirname, '..');
const BROWSER = join(ROOT, 'src/partner/browser');
export const PARTNER_ASSETS_DIR = join(ROOT, 'dist/partner/assets');

/** The same bundling for each entry: one self-contained script the page loads from this bot. */
const bundle = (entry: string, outfile: string) =>
  build({
    entryPoints: [join(BROWSER, entry)],
    outfile,
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });

/**
 * Bundle the page script and its MD5 worker (a script of its own: the CSP allows workers from 'self', not blob:),
 * and copy the stylesheet into `outdir`.
 */
export async function buildPartnerAssets(outdir = PARTNER_ASSETS_DIR): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await Promise.all([
    bundle('upload-page.ts', join(outdir, 'partner.js')),
    bundle('md5-worker.ts', join(outdir, 'partner-md5-worker.js')),
    copyFile(join(BROWSER, 'partner.css'), join(outdir, 'partner.css')),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPartnerAssets();
}
