/**
 * A throwaway PostgreSQL cluster for the test run: initdb into a temp dir, start on a free loopback port, and stop and
 * delete it afterwards. Used by `test/global-setup.ts`; tests reach it through `test/support/postgres.ts`.
 *
 * - `TEST_DATABASE_URL` set: that server is used as is and nothing is started.
 * - `UPLOAD_LINK_TEST_NO_POSTGRES=1`: discovery looks in a directory that does not exist (to try the skip path).
 * - `UPLOAD_LINK_TEST_REQUIRE_POSTGRES=1` (CI): finding no Postgres is an error instead of a skip.
 * - As root, initdb and postgres refuse to run, so they run as the `postgres` OS user through `runuser`.
 *
 * The server must not outlive the run: teardown stops it, `exit`/SIGINT/SIGTERM handlers stop it synchronously, and a
 * detached watchdog process stops it when this process dies without running any handler (SIGKILL, crash).
 */
import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export const NOT_FOUND_MESSAGE =
  'PostgreSQL not found: the Postgres store suite is skipped (install postgresql to run it)';

const DEBIAN_ROOT = '/usr/lib/postgresql';
/** Where discovery looks when `UPLOAD_LINK_TEST_NO_POSTGRES=1`. */
const NOWHERE = '/nonexistent/upload-link-test-no-postgres';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly pgCtl: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = join(dir, 'initdb');
  const pgCtl = join(dir, 'pg_ctl');
  return isExecutable(initdb) && isExecutable(pgCtl) ? { initdb, pgCtl } : undefined;
}

/** Compares version directory names like `15`, `16`, `9.6` numerically, highest first. */
function byVersionDescending(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** initdb and pg_ctl: the highest version under `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu), else on PATH. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const disabled = env.UPLOAD_LINK_TEST_NO_POSTGRES === '1';
  const root = disabled ? NOWHERE : DEBIAN_ROOT;
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((name) => /^\d+(\.\d+)*$/.test(name));
  } catch {
    // No such directory: not a Debian-style install.
  }
  for (const version of versions.sort(byVersionDescending)) {
    const found = binariesIn(join(root, version, 'bin'));
    if (found) return found;
  }
  const path = disabled ? NOWHERE : (env.PATH ?? '');
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const found = binariesIn(dir);
    if (found) return found;
  }
  return undefined;
}

/** A loopback TCP port nobody listens on right now (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** Runs Postgres programs as the `postgres` OS user when we are root (they refuse to run as root). */
interface RunAs {
  readonly prefix: readonly string[];
  readonly owner?: { readonly uid: number; readonly gid: number };
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [] };
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    throw new Error(
      'Running as root, and PostgreSQL refuses to run as root, but there is no `postgres` OS user to run it as. ' +
        'Create one (e.g. `useradd --system postgres`), run the tests as another user, or set ' +
        'UPLOAD_LINK_TEST_NO_POSTGRES=1 to skip the Postgres suite.',
    );
  }
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find(isExecutable);
  if (runuser === undefined) throw new Error('Running as root but `runuser` is missing: cannot start PostgreSQL');
  return { prefix: [runuser, '-u', 'postgres', '--'], owner: { uid, gid } };
}

function command(as: RunAs, program: string, args: readonly string[]): [string, string[]] {
  const [file, ...rest] = [...as.prefix, program, ...args];
  return [file as string, rest];
}

async function runPostgresProgram(as: RunAs, cwd: string, program: string, args: readonly string[]): Promise<void> {
  const [file, rest] = command(as, program, args);
  try {
    // LC_ALL=C: initdb's locale checks must not depend on the developer's (possibly uninstalled) locale.
    await run(file, rest, { cwd, env: { ...process.env, LC_ALL: 'C' }, timeout: 30_000 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${[file, ...rest].join(' ')} failed: ${error}\n${stdout}${stderr}`.trim());
  }
}

async function acceptsConnections(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL at ${url} does not accept connections: ${error}`);
      await new Promise((done) => setTimeout(done, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

export interface PostgresCluster {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * A process that stops the cluster and deletes its directory when this process dies without cleaning up: it blocks
 * reading a pipe only we hold, and EOF comes when we exit, however we exit. Killed on orderly teardown.
 */
function startWatchdog(stopCommand: [string, string[]], dir: string): ChildProcess {
  const [file, args] = stopCommand;
  const watchdog = spawn(
    '/bin/sh',
    ['-c', 'cat >/dev/null; "$@" >/dev/null 2>&1; rm -rf "$CLUSTER_DIR"', 'postgres-watchdog', file, ...args],
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, CLUSTER_DIR: dir }, cwd: '/' },
  );
  watchdog.on('error', () => {}); // A missing /bin/sh only costs the SIGKILL safety net.
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
}

/**
 * A self-signed certificate for the server (`openssl`, in the data directory), so TLS can be tested as Heroku
 * Postgres has it: encrypted, with a certificate no client can verify. False when openssl is missing.
 */
async function selfSignedCertificate(data: string, owner: { uid: number; gid: number } | undefined): Promise<boolean> {
  try {
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=upload-link-test-postgres',
        '-keyout',
        join(data, 'server.key'),
        '-out',
        join(data, 'server.crt'),
      ],
      { cwd: data, timeout: 20_000 },
    );
    await chmod(join(data, 'server.key'), 0o600);
    if (owner) {
      await chown(join(data, 'server.key'), owner.uid, owner.gid);
      await chown(join(data, 'server.crt'), owner.uid, owner.gid);
    }
    return true;
  } catch {
    return false;
  }
}

/** initdb + pg_ctl start in a fresh temp dir; the caller must `stop()` it. */
export async function startPostgresCluster(binaries: PostgresBinaries): Promise<PostgresCluster> {
  const as = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'upload-link-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const stopCommand = command(as, binaries.pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10']);

  let stopped = false;
  let watchdog: ChildProcess | undefined;
  const killWatchdog = () => {
    // Its whole process group (the shell and its `cat`): it was started detached, so it leads one.
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(-watchdog.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(stopCommand[0], stopCommand[1], { cwd: '/', stdio: 'ignore', timeout: 15_000 });
    rmSync(dir, { recursive: true, force: true });
    killWatchdog();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopSync();
    removeHandlers();
    // If nobody else handles the signal (vitest does), die of it as we would have without our handler.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const removeHandlers = () => {
    process.off('exit', stopSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', stopSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    removeHandlers();
    if (stopped) return;
    stopped = true;
    try {
      const [file, args] = stopCommand;
      await run(file, args, { cwd: '/', timeout: 15_000 }).catch(() => {}); // Already gone is fine.
    } finally {
      await rm(dir, { recursive: true, force: true });
      killWatchdog();
    }
  };

  try {
    await mkdir(data, { mode: 0o700 });
    if (as.owner) {
      await chown(dir, as.owner.uid, as.owner.gid);
      await chown(data, as.owner.uid, as.owner.gid);
    }
    watchdog = startWatchdog(stopCommand, dir);
    await runPostgresProgram(as, dir, binaries.initdb, [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    const tls = await selfSignedCertificate(data, as.owner);
    // The port is free when picked but could be taken before postgres binds it; pick again if so.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        // TLS on (clients choose: the tests' plain connections stay plain), as Heroku Postgres has it.
        ...(tls ? ['-c ssl=on', '-c ssl_cert_file=server.crt', '-c ssl_key_file=server.key'] : []),
        `-k '${dir}'`, // pg_ctl runs the postgres command line through /bin/sh.
        '-c fsync=off',
        '-c full_page_writes=off',
        '-c synchronous_commit=off',
      ].join(' ');
      try {
        await runPostgresProgram(as, dir, binaries.pgCtl, [
          'start',
          '-D',
          data,
          '-l',
          log,
          '-w',
          '-t',
          '15',
          '-o',
          options,
        ]);
      } catch (error) {
        const serverLog = await readFile(log, 'utf8').catch(() => '');
        if (attempt < 3 && /could not bind|address already in use/i.test(serverLog)) continue;
        throw new Error(`${(error as Error).message}\n--- ${log} ---\n${serverLog}`);
      }
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      await acceptsConnections(url, 5_000);
      return { url, port, dir, stop };
    }
  } catch (error) {
    stopSync();
    removeHandlers();
    throw error;
  }
}

export type PostgresForTests =
  | { readonly url: string; readonly source: 'env' }
  | { readonly url: string; readonly source: 'cluster'; readonly cluster: PostgresCluster }
  | { readonly url: undefined; readonly source: 'none' };

/** What the test run uses as its Postgres: TEST_DATABASE_URL, a throwaway cluster, or none (suite skipped). */
export async function postgresForTests(env: NodeJS.ProcessEnv = process.env): Promise<PostgresForTests> {
  if (env.UPLOAD_LINK_TEST_NO_POSTGRES !== '1' && env.TEST_DATABASE_URL) {
    return { url: env.TEST_DATABASE_URL, source: 'env' };
  }
  const binaries = findPostgresBinaries(env);
  if (binaries === undefined) {
    if (env.UPLOAD_LINK_TEST_REQUIRE_POSTGRES === '1') {
      throw new Error(
        'PostgreSQL not found, and UPLOAD_LINK_TEST_REQUIRE_POSTGRES=1 requires it: install postgresql (15+)',
      );
    }
    return { url: undefined, source: 'none' };
  }
  const cluster = await startPostgresCluster(binaries);
  return { url: cluster.url, source: 'cluster', cluster };
}
