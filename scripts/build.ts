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

/** Bundle the page script and copy the stylesheet into `outdir`. */
export async function buildPartnerAssets(outdir = PARTNER_ASSETS_DIR): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await Promise.all([
    build({
      entryPoints: [join(BROWSER, 'upload-page.ts')],
      outfile: join(outdir, 'partner.js'),
      bundle: true,
      format: 'iife',
      target: ['es2020'],
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    }),
    copyFile(join(BROWSER, 'partner.css'), join(outdir, 'partner.css')),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPartnerAssets();
}
