/**
 * A throwaway Ceph cluster with a RADOS Gateway, a real S3 implementation, for the test run: one monitor, one OSD on
 * the in-memory object store and one gateway (beast frontend), all on 127.0.0.1, with cephx, everything under one
 * temp dir, and a user with fixed keys. Used by `test/global-setup.ts`; tests reach it through `test/support/rgw.ts`.
 * The recipe and what RGW does differently from s3rver: /work/shared/docs/real-s3.md.
 *
 * - `TEST_RGW_ENDPOINT` set: that gateway is used as is and nothing is started (keys from `TEST_RGW_ACCESS_KEY_ID`
 *   and `TEST_RGW_SECRET_ACCESS_KEY`, region from `TEST_RGW_REGION`, else the fixed ones below).
 * - `UPLOAD_LINK_TEST_NO_RGW=1`: discovery looks in a directory that does not exist (to try the skip path).
 * - `UPLOAD_LINK_TEST_REQUIRE_RGW=1` (CI): finding no Ceph binaries is an error instead of a skip.
 *
 * Nothing must outlive the run: teardown kills the daemons, `exit`/SIGINT/SIGTERM handlers kill them synchronously,
 * and a detached watchdog process kills them when this process dies without running any handler (SIGKILL, crash).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './postgres-cluster.js';

export const RGW_NOT_FOUND_MESSAGE =
  'Ceph RADOS Gateway not found: the RGW suites are skipped ' +
  '(apt-get install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common to run them)';

/** RGW accepts any region in the signature; this is what the clients sign with. */
export const RGW_REGION = 'us-east-1';

/** The test user's fixed keys: nothing secret, the cluster lives on loopback for one run. */
export const RGW_CREDENTIALS = Object.freeze({
  accessKeyId: 'UPLOADLINKTESTRGW000',
  secretAccessKey: 'upload-link-test-secret-key-not-a-secret',
});

/** What tests need to reach a gateway: plain data, so global setup can `provide` it. */
export interface RgwTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const PROGRAMS = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'ceph-authtool', 'monmaptool'] as const;
type Program = (typeof PROGRAMS)[number];
export type RgwBinaries = Readonly<Record<Program, string>>;

/** Where discovery looks when `UPLOAD_LINK_TEST_NO_RGW=1`. */
const NOWHERE = '/nonexistent/upload-link-test-no-rgw';
/** Debian puts them in /usr/bin; the sbin directories are there for PATHs without them. */
const EXTRA_DIRS = ['/usr/bin', '/usr/sbin', '/sbin'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every program the cluster needs, on PATH (or in /usr/bin, /usr/sbin, /sbin); `missing` names those not found. */
export function findRgwBinaries(env: NodeJS.ProcessEnv = process.env): {
  readonly binaries: RgwBinaries | undefined;
  readonly missing: readonly Program[];
} {
  const dirs = env.UPLOAD_LINK_TEST_NO_RGW === '1' ? [NOWHERE] : [...(env.PATH ?? '').split(delimiter), ...EXTRA_DIRS];
  const found: Partial<Record<Program, string>> = {};
  const missing: Program[] = [];
  for (const program of PROGRAMS) {
    const file = dirs
      .filter((dir) => dir !== '')
      .map((dir) => join(dir, program))
      .find(isExecutable);
    if (file === undefined) missing.push(program);
    else found[program] = file;
  }
  return { binaries: missing.length === 0 ? (found as RgwBinaries) : undefined, missing };
}

export interface RgwGateway {
  readonly endpoint: string;
  readonly port: number;
  /** The gateway's cephx name, e.g. `client.rgw.gw1`; its log is `<dir>/log/<name>.log`. */
  readonly name: string;
  stop(): Promise<void>;
}

export interface RgwCluster extends RgwTarget {
  readonly dir: string;
  /** The first gateway, the one `endpoint` points at. */
  readonly gateway: RgwGateway;
  /**
   * Another gateway on the same cluster (same users, buckets and objects) with settings of its own, e.g.
   * `{ rgw_crypt_require_ssl: 'false' }`; stopped with the cluster if not before.
   */
  startGateway(settings?: Readonly<Record<string, string>>): Promise<RgwGateway>;
  /** Runs `radosgw-admin` against this cluster and returns its stdout (most subcommands print JSON). */
  radosgwAdmin(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface RgwClusterOptions {
  /** Settings for the first gateway, as `startGateway` takes them. */
  readonly gatewaySettings?: Readonly<Record<string, string>>;
  /** How long the whole start may take before it fails (default 60 s; it takes about 2 s here). */
  readonly timeoutMs?: number;
}

/**
 * Why each setting, when it is not obvious:
 * - paxos: the monitor batches map changes for 1 s by default; a gateway's first start creates 4 pools, each a couple
 *   of map epochs, so that alone was ≈ 10 s. A single monitor has nobody to batch for.
 * - objecter tick: the gateway starts while the OSD boots, and a request it sent too early waits for the client's next
 *   5 s tick to be resent (1 start in 3 took 6 s instead of 1.2 s); every 0.2 s instead.
 * - mon_data_avail_*: the monitor warns below 30% free disk and refuses to run below 5%; a test cluster of a few MB
 *   must not depend on how full the developer's disk is.
 * - one OSD: pool size 1, CRUSH choosing OSDs rather than hosts, one placement group per pool (nothing to spread).
 * - msgr v1 off: v2 alone is enough for every daemon and tool here, and it halves the ports in use.
 * - memstore: objects live in the OSD's memory, capped by memstore_device_bytes; near 95% of it the pools are full and
 *   every write then waits without an error (a full test run timed out that way at 1 GiB). The cap only bounds what
 *   may be held, nothing is allocated up front: 8 GiB holds a whole run's big files.
 * - gc: a deleted or overwritten object's data is freed by the gateway's garbage collector, by default two hours
 *   later; here within seconds, so what tests delete makes room again.
 */
function cephConf(dir: string, fsid: string, monPort: number): string {
  const settings: Record<string, string | number | boolean> = {
    fsid,
    mon_host: `v2:127.0.0.1:${monPort}`,
    public_network: '127.0.0.1/32',
    ms_bind_msgr1: false,
    auth_cluster_required: 'cephx',
    auth_service_required: 'cephx',
    auth_client_required: 'cephx',
    keyring: join(dir, 'keyring'),
    run_dir: join(dir, 'run'),
    log_file: join(dir, 'log', '$name.log'),
    mon_data: join(dir, 'mon', '$name'),
    osd_data: join(dir, 'osd', '$name'),
    osd_objectstore: 'memstore',
    memstore_device_bytes: 8 * 1024 ** 3,
    rgw_gc_obj_min_wait: 1,
    rgw_gc_processor_period: 5,
    paxos_propose_interval: 0.01,
    paxos_min_wait: 0.001,
    objecter_tick_interval: 0.2,
    mon_data_avail_warn: 1,
    mon_data_avail_crit: 0,
    mon_allow_pool_size_one: true,
    mon_warn_on_pool_no_redundancy: false,
    osd_pool_default_size: 1,
    osd_pool_default_min_size: 1,
    osd_pool_default_pg_num: 1,
    osd_pool_default_pgp_num: 1,
    osd_pool_default_pg_autoscale_mode: 'off',
    osd_crush_chooseleaf_type: 0,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key} = ${value}`);
  return `[global]\n${lines.join('\n')}\n`;
}

/** The end of a log file, to put in an error message. */
function tail(file: string, lines = 30): string {
  try {
    return `--- ${file} ---\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
  } catch {
    return `--- ${file}: none ---`;
  }
}

interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited, however it exits. */
  readonly exited: Promise<void>;
  readonly logs: readonly string[];
}

/** No pid: it never started (spawn failed). */
function isRunning(daemon: Daemon): boolean {
  const { child } = daemon;
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * A process that kills the daemons and deletes the dir when this process dies without cleaning up: it blocks reading
 * a pipe only we hold, and EOF comes when we exit, however we exit. The daemons' pids are in `<dir>/pids`, written as
 * each starts. Killed on orderly teardown.
 */
function startWatchdog(dir: string): ChildProcess {
  const script =
    'cat >/dev/null; for f in "$CLUSTER_DIR"/pids/*; do kill -9 "$(cat "$f")"; done; rm -rf "$CLUSTER_DIR"';
  const watchdog = spawn('/bin/sh', ['-c', script, 'rgw-watchdog'], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', CLUSTER_DIR: dir },
    cwd: '/',
  });
  watchdog.on('error', () => {}); // A missing /bin/sh only costs the SIGKILL safety net.
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
}

export class RgwClusterError extends Error {
  override name = 'RgwClusterError';
}

/** Starts mon, OSD and gateway in a fresh temp dir and creates the test user; the caller must `stop()` it. */
export async function startRgwCluster(binaries: RgwBinaries, options: RgwClusterOptions = {}): Promise<RgwCluster> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => {
    const left = deadline - Date.now();
    if (left <= 0) {
      const logs = daemons.flatMap((daemon) => daemon.logs.map((file) => tail(file, 10)));
      throw new RgwClusterError(`Ceph RGW cluster did not start within ${timeoutMs} ms\n${logs.join('\n')}`);
    }
    return left;
  };
  const dir = await mkdtemp(join(tmpdir(), 'upload-link-rgw-'));
  const conf = join(dir, 'ceph.conf');
  // Only what the tools need: a developer's CEPH_ARGS or CEPH_CONF must not point them at another cluster.
  const env = { PATH: process.env.PATH ?? '', LC_ALL: 'C' };
  const daemons: Daemon[] = [];

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
  // SIGKILL straight away: the cluster's data is thrown away, so there is nothing to shut down cleanly, and the OSD
  // does not always end on SIGTERM.
  const killAll = () => {
    for (const daemon of daemons) if (isRunning(daemon)) daemon.child.kill('SIGKILL');
  };
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    killAll();
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
      killAll();
      await Promise.all(daemons.map((daemon) => daemon.exited));
    } finally {
      await rm(dir, { recursive: true, force: true });
      killWatchdog();
    }
  };

  const logOf = (name: string) => join(dir, 'log', `${name}.log`);

  /** Fails as soon as a daemon that should be running is not, with its logs. */
  const checkDaemons = () => {
    for (const daemon of daemons) {
      if (!isRunning(daemon)) {
        const { exitCode, signalCode } = daemon.child;
        const how = signalCode ?? (exitCode === null ? 'never started' : `exit code ${exitCode}`);
        throw new RgwClusterError(
          `${daemon.name} is not running (${how})\n${daemon.logs.map((l) => tail(l)).join('\n')}`,
        );
      }
    }
  };

  /** Runs a Ceph tool to its end within the start's deadline; fails early if a daemon dies meanwhile. */
  const tool = async (program: Program, args: readonly string[], timeoutMs = remaining()): Promise<string> => {
    const child = execFile(binaries[program], ['-c', conf, ...args], { cwd: dir, env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const poll = setInterval(() => {
      try {
        checkDaemons();
      } catch {
        child.kill('SIGKILL');
      }
    }, 100);
    try {
      await new Promise<void>((done, fail) => {
        child.on('error', fail);
        child.on('close', (code, signal) => (code === 0 ? done() : fail(new Error(signal ?? `exit code ${code}`))));
      });
      return stdout;
    } catch (error) {
      checkDaemons();
      throw new RgwClusterError(`${program} ${args.join(' ')} failed: ${(error as Error).message}\n${stdout}${stderr}`);
    } finally {
      clearInterval(poll);
    }
  };

  const spawnDaemon = async (name: string, program: Program, args: readonly string[]): Promise<Daemon> => {
    // Output to a file, not a pipe: nobody reads it unless the start fails, and a full pipe would stall the daemon.
    const out = join(dir, 'log', `${name}.out`);
    const fd = openSync(out, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binaries[program], ['-c', conf, '-f', ...args], { cwd: dir, env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<void>((done) => {
      child.once('exit', () => done());
      // A process that could not be started never emits 'exit'.
      child.on('error', () => {
        if (child.pid === undefined) done();
      });
    });
    const daemon = { name, child, exited, logs: [logOf(name), out] };
    daemons.push(daemon);
    if (child.pid !== undefined) await writeFile(join(dir, 'pids', name), String(child.pid));
    return daemon;
  };

  /** Kills one daemon for good: it leaves the list `checkDaemons` watches, and the watchdog's. */
  const retire = async (daemon: Daemon) => {
    if (isRunning(daemon)) daemon.child.kill('SIGKILL');
    await daemon.exited;
    const index = daemons.indexOf(daemon);
    if (index !== -1) daemons.splice(index, 1);
    await rm(join(dir, 'pids', daemon.name), { force: true });
  };

  /** Polls until the gateway answers HTTP; the S3 API is up by then (it listens only after initialising). */
  const waitForHttp = async (endpoint: string) => {
    for (;;) {
      checkDaemons();
      try {
        const response = await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
        await response.body?.cancel();
        return;
      } catch {
        remaining();
        await new Promise((done) => setTimeout(done, 25));
      }
    }
  };

  let gatewayCount = 0;
  const startGateway = async (settings: Readonly<Record<string, string>> = {}): Promise<RgwGateway> => {
    const id = `gw${gatewayCount++}`;
    const name = `client.rgw.${id}`;
    // The first gateway's key is in the keyring the monitor started with; later ones are registered now.
    const keyring = join(dir, `keyring.${id}`);
    if (id !== 'gw0') {
      await tool('ceph', ['auth', 'get-or-create', name, 'mon', 'allow rw', 'osd', 'allow rwx', '-o', keyring]);
    }
    const extra = Object.entries(settings).map(([key, value]) => `--${key}=${value}`);
    // The port is free when picked but could be taken before the gateway binds it; pick again if so.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const endpoint = `http://127.0.0.1:${port}`;
      const daemon = await spawnDaemon(`${name}.${attempt}`, 'radosgw', [
        '-n',
        name,
        ...(id === 'gw0' ? [] : [`--keyring=${keyring}`]),
        `--rgw_frontends=beast endpoint=127.0.0.1:${port}`,
        `--log_file=${logOf(`${name}.${attempt}`)}`,
        // Plenty for tests; the default of 512 threads costs memory for nothing.
        '--rgw_thread_pool_size=32',
        ...extra,
      ]);
      try {
        await waitForHttp(endpoint);
      } catch (error) {
        const log = daemon.logs.map((file) => tail(file, 200)).join('\n');
        await retire(daemon);
        if (attempt < 3 && /bind|address already in use/i.test(log)) continue;
        throw error;
      }
      const gateway: RgwGateway = {
        endpoint,
        port,
        name,
        stop: () => retire(daemon),
      };
      return gateway;
    }
  };

  try {
    await Promise.all(
      ['run', 'log', 'mon/mon.a', 'osd/osd.0', 'pids'].map((sub) => mkdir(join(dir, sub), { recursive: true })),
    );
    watchdog = startWatchdog(dir);
    const fsid = randomUUID();
    const monPort = await freePort();
    await writeFile(conf, cephConf(dir, fsid, monPort));

    // One keyring for every daemon and tool, made before the monitor exists: `ceph-mon --mkfs` imports each key with
    // its caps, so no `ceph auth` round trips are needed for these.
    const keyring = join(dir, 'keyring');
    const keys: [string, ...string[]][] = [
      ['mon.', '--cap', 'mon', 'allow *'],
      ['client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *'],
      ['osd.0', '--cap', 'mon', 'allow profile osd', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow profile osd'],
      ['client.rgw.gw0', '--cap', 'mon', 'allow rw', '--cap', 'osd', 'allow rwx'],
    ];
    for (const [index, [name, ...caps]] of keys.entries()) {
      await tool('ceph-authtool', [
        ...(index === 0 ? ['--create-keyring'] : []),
        keyring,
        '--gen-key',
        '-n',
        name,
        ...caps,
      ]);
    }
    const monmap = join(dir, 'monmap');
    await tool('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, monmap]);
    await tool('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
    await spawnDaemon('mon.a', 'ceph-mon', ['-i', 'a']);

    // Waits for the monitor to answer: the first command to reach it.
    const osdUuid = randomUUID();
    await tool('ceph', ['--connect-timeout', String(Math.ceil(remaining() / 1000)), 'osd', 'new', osdUuid, '0']);
    await tool('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    await spawnDaemon('osd.0', 'ceph-osd', ['-i', '0']);

    // The gateway creates its pools on first start, which waits for the OSD to be up.
    const gateway = await startGateway(options.gatewaySettings);
    await tool('radosgw-admin', [
      'user',
      'create',
      '--uid=upload-link-test',
      '--display-name=upload-link tests',
      `--access-key=${RGW_CREDENTIALS.accessKeyId}`,
      `--secret=${RGW_CREDENTIALS.secretAccessKey}`,
    ]);

    return {
      endpoint: gateway.endpoint,
      region: RGW_REGION,
      credentials: RGW_CREDENTIALS,
      dir,
      gateway,
      startGateway,
      radosgwAdmin: (...args) => tool('radosgw-admin', args, 30_000),
      stop,
    };
  } catch (error) {
    stopSync();
    removeHandlers();
    throw error;
  }
}

export type RgwForTests =
  | { readonly target: RgwTarget; readonly source: 'env' }
  | { readonly target: RgwTarget; readonly source: 'cluster'; readonly cluster: RgwCluster }
  | { readonly target: undefined; readonly source: 'none' };

/** What the test run uses as its S3 gateway: TEST_RGW_ENDPOINT, a throwaway cluster, or none (suites skipped). */
export async function rgwForTests(env: NodeJS.ProcessEnv = process.env): Promise<RgwForTests> {
  if (env.UPLOAD_LINK_TEST_NO_RGW !== '1' && env.TEST_RGW_ENDPOINT) {
    const target: RgwTarget = {
      endpoint: env.TEST_RGW_ENDPOINT,
      region: env.TEST_RGW_REGION || RGW_REGION,
      credentials: {
        accessKeyId: env.TEST_RGW_ACCESS_KEY_ID || RGW_CREDENTIALS.accessKeyId,
        secretAccessKey: env.TEST_RGW_SECRET_ACCESS_KEY || RGW_CREDENTIALS.secretAccessKey,
      },
    };
    return { target, source: 'env' };
  }
  const { binaries, missing } = findRgwBinaries(env);
  if (binaries === undefined) {
    if (env.UPLOAD_LINK_TEST_REQUIRE_RGW === '1') {
      throw new Error(
        `Ceph RADOS Gateway not found (missing: ${missing.join(', ')}), and UPLOAD_LINK_TEST_REQUIRE_RGW=1 requires it: ` +
          'apt-get install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common',
      );
    }
    return { target: undefined, source: 'none' };
  }
  const cluster = await startRgwCluster(binaries);
  const { endpoint, region, credentials } = cluster;
  return { target: { endpoint, region, credentials }, source: 'cluster', cluster };
}
