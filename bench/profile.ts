/**
 * `npx tsx bench/profile.ts [--start] [--seconds N] [--connections N] [--database FILE] [--no-build]`: a CPU profile of ours
 * (`node dist/main/server.js`, as the bench runs it), reported as self time by package. By default it covers only
 * the measured load (after a warm-up: a preloaded one-liner starts and stops V8's profiler on SIGUSR2), so it shows
 * where a request's CPU goes; with `--start` it covers a cold start, from spawning to the first good reply
 * (`--cpu-prof`). The evidence for bench/RESULTS.md's "what limits" notes. The .cpuprofile is kept (its path is
 * printed) for a closer look in Chrome DevTools.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalS3 } from '../test/support/s3.js';
import { startFakeSlackApi } from '../test/support/slack-api.js';
import { runLoad } from './load.js';
import { QUICK } from './plan.js';
import { cleanUp, cleanUpOnSignals, onCleanUp, tempFolder } from './processes.js';
import { ACCEPTS, build, type Context, command, startServer } from './servers.js';
import { answerCommandCalls } from './slack-calls.js';
import { log, sleep } from './util.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node:internal/deps/undici/undici` → `deps`, `node:events` → `events`. */
const nodeModuleOf = (url: string) =>
  url
    .slice('node:'.length)
    .replace(/^internal\//, '')
    .split('/')[0] ?? url;

/** Which package (or part of Node, or of ours) a script belongs to. */
function packageOfUrl(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inModules) return inModules[1] ?? url;
  if (url.startsWith('node:')) return `node:${nodeModuleOf(url)}`;
  const ours = /(?:^|\/)(?:dist|src)\/(.+?)\.[jt]s$/.exec(url);
  return ours ? `upload-link ${ours[1]}` : url;
}

/**
 * The server is one bundle (dist/main/server.js): its source map says which file of src/ or node_modules each
 * sampled function came from. `bundles`: bundle URL → its source map.
 */
export function packageOf(node: ProfileNode, bundles: ReadonlyMap<string, SourceMap> = new Map()): string {
  const { url, functionName, lineNumber, columnNumber } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const map = bundles.get(url);
  if (map !== undefined) {
    const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
    if (entry.originalSource !== undefined) return packageOfUrl(entry.originalSource);
  }
  return packageOfUrl(url);
}

/** Source maps of the bundles in a profile (`<url>.map` beside each file:// script that has one). */
export function bundleMaps(profile: CpuProfile): Map<string, SourceMap> {
  const maps = new Map<string, SourceMap>();
  for (const url of new Set(profile.nodes.map((node) => node.callFrame.url))) {
    if (!url.startsWith('file://') || !url.endsWith('/dist/main/server.js')) continue;
    const file = `${fileURLToPath(url)}.map`;
    if (existsSync(file)) maps.set(url, new SourceMap(JSON.parse(readFileSync(file, 'utf8'))));
  }
  return maps;
}

/** Self time (ms) by package, largest first, from a V8 .cpuprofile. */
export function selfTimeByPackage(profile: CpuProfile): { name: string; ms: number }[] {
  const bundles = bundleMaps(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const names = new Map<number, string>();
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    let name = names.get(id);
    if (name === undefined) {
      const node = byId.get(id);
      name = node === undefined ? '(unknown)' : packageOf(node, bundles);
      names.set(id, name);
    }
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

export function formatSelfTime(rows: readonly { name: string; ms: number }[], top = 25): string {
  const busy = rows.filter((row) => row.name !== '(idle)');
  const total = busy.reduce((sum, row) => sum + row.ms, 0);
  const lines = busy.slice(0, top).map((row) => `${((row.ms / total) * 100).toFixed(1).padStart(5)} %  ${row.name}`);
  return [`self time by package (busy time ${total.toFixed(0)} ms, idle left out):`, ...lines].join('\n');
}

/** Preloaded into the server: SIGUSR2 starts the profiler, the next SIGUSR2 writes the profile to `file`. */
const PROFILE_ON_SIGUSR2 = (file: string) =>
  `data:text/javascript,${encodeURIComponent(
    `import { Session } from 'node:inspector'; import { writeFileSync } from 'node:fs';
const session = new Session(); session.connect(); let on = false;
process.on('SIGUSR2', () => {
  if (!on) { on = true; session.post('Profiler.enable', () => session.post('Profiler.start')); return; }
  session.post('Profiler.stop', (error, result) => {
    writeFileSync(${JSON.stringify(file)}, JSON.stringify(error ? {} : result.profile));
    process.stderr.write('bench-profile written\\n');
  });
});`,
  )}`;

async function waitFor(found: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (found()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function profileLoad(ctx: Context, file: string, seconds: number, connections: number): Promise<void> {
  const ours = await startServer(ctx, 'ours', ['--import', PROFILE_ON_SIGUSR2(file)]);
  try {
    const load = { port: ours.port, request: command, connections, verifyBody: ACCEPTS.ours };
    await runLoad({ ...load, seconds: 2 });
    ours.server.child.kill('SIGUSR2');
    await sleep(100);
    const result = await runLoad({ ...load, seconds });
    ours.server.child.kill('SIGUSR2');
    await waitFor(() => ours.server.output().includes('bench-profile written'), 'the profile');
    log(`${Math.round(result.requestsPerSecond)} req/s; ${result.problems.join('; ') || 'no problems'}`);
  } finally {
    await ours.server.stop();
  }
}

async function profileStart(ctx: Context, file: string): Promise<void> {
  const folder = dirname(file);
  const ours = await startServer(ctx, 'ours', [
    '--cpu-prof',
    '--cpu-prof-dir',
    folder,
    '--cpu-prof-name',
    basename(file),
  ]);
  log(`first good reply after ${ours.coldStartMs.toFixed(0)} ms (profiled)`);
  await ours.server.stop();
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name);
    return at === -1 ? fallback : Number(process.argv[at + 1]);
  };
  const seconds = arg('--seconds', 10);
  const connections = arg('--connections', 50);
  // Elsewhere than the temporary folder's disk, e.g. on tmpfs to leave the disk's sync latency out.
  const databaseAt = process.argv.indexOf('--database');
  const databaseArg = databaseAt === -1 ? undefined : process.argv[databaseAt + 1];
  try {
    const work = await tempFolder(tmpdir(), 'upload-link-profile-');
    const logs = await tempFolder(work, 'logs-');
    if (!process.argv.includes('--no-build')) await build(logs);
    const s3 = await startLocalS3();
    onCleanUp(() => s3.close());
    const slack = await startFakeSlackApi();
    onCleanUp(() => slack.close());
    answerCommandCalls(slack);
    const ctx: Context = {
      plan: QUICK,
      s3,
      slack,
      cwd: await tempFolder(work, 'cwd-'),
      databasePath: databaseArg ?? join(work, 'upload-link.db'),
      bareScript: '',
      logs,
    };
    // Not a temporary folder: the profile outlives the run.
    const file = join(tmpdir(), `upload-link-${Date.now()}.cpuprofile`);
    if (process.argv.includes('--start')) {
      // A first start migrates the database, as the bench's cold starts find it.
      await (await startServer(ctx, 'ours')).server.stop();
      await profileStart(ctx, file);
    } else {
      await profileLoad(ctx, file, seconds, connections);
    }
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${formatSelfTime(selfTimeByPackage(profile))}\n(${file})\n`);
  } finally {
    await cleanUp();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
