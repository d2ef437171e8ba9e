/**
 * The build's second half (after `tsc`):
 *
 * - the partner page's browser code, bundled with esbuild into one script the bot serves itself (the page's CSP
 *   allows no other origin), and its stylesheet beside it, in dist/partner/assets/;
 * - the server, bundled into one file over tsc's dist/main/server.js: Node then reads and links one module at
 *   start instead of hundreds (the cold start a sleeping dyno's first command waits for).
 *
 * The playground and the tests call `buildPartnerAssets` and `bundleServer` too, so they run what a deploy runs.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

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

/**
 * Left outside the bundle, loaded from node_modules as before: native addons (better-sqlite3), and pg, which only a
 * PostgreSQL store loads (src/store/database.ts), with its optional pg-native.
 */
const SERVER_EXTERNAL = ['better-sqlite3', 'pg', 'pg-native'];

/**
 * Bolt's index loads every receiver, and with them Socket Mode (@slack/socket-mode, with undici and ws) and Express:
 * over a third of the bundle, which an HTTP-mode start would parse and run for nothing. Bolt uses each only inside its
 * receiver's constructor, so it gets a stand-in that loads the real package from node_modules on first use.
 */
const LAZY_PACKAGES: Record<string, string> = {
  // `__esModule`: Bolt's __importStar then takes the stand-in as is, without reading every export at load.
  express:
    "module.exports = { __esModule: true, get default() { return require('express'); }, get Router() { return require('express').Router; } };",
  '@slack/socket-mode':
    "module.exports = { get SocketModeClient() { return require('@slack/socket-mode').SocketModeClient; } };",
};

const lazyPackages: Plugin = {
  name: 'lazy-packages',
  setup(build) {
    const filter = new RegExp(
      `^(${Object.keys(LAZY_PACKAGES)
        .map((name) => name.replace('/', '\\/'))
        .join('|')})$`,
    );
    // From the stand-in itself, the real package, left to Node.
    build.onResolve({ filter }, (args) =>
      args.namespace === 'lazy' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({ contents: LAZY_PACKAGES[args.path], loader: 'js' }));
  },
};

/** src/main/server.ts and everything it imports, as one ES module at `outfile` (by default dist/main/server.js). */
export async function bundleServer(outfile = join(ROOT, 'dist/main/server.js')): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'src/main/server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ['node20'],
    external: SERVER_EXTERNAL,
    plugins: [lazyPackages],
    // The CommonJS packages in the bundle (Bolt, the AWS SDK's dependencies) call require() for Node's modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Minified: a third less to read and parse at start. The source map beside it (read only with
    // NODE_OPTIONS=--enable-source-maps, so free otherwise) turns stack traces back into src/ and node_modules lines.
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await Promise.all([buildPartnerAssets(), bundleServer()]);
}
