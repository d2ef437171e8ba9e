/**
 * Child processes and temporary folders for the benchmark, and the promise that every one of them is gone when
 * it ends: normally (`cleanUp()` in a finally), on SIGINT/SIGTERM, and as a last resort on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const folders = new Set<string>();
/** Other things to close (servers in this process, a running load), newest last. */
const closers: (() => Promise<void> | void)[] = [];

/** How much of a child's output goes into an error message. */
const OUTPUT_LIMIT = 16_384;
/** How long a child gets to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

export async function tempFolder(parent: string, prefix: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  const folder = await mkdtemp(join(parent, prefix));
  folders.add(folder);
  return folder;
}

export function onCleanUp(close: () => Promise<void> | void): void {
  closers.push(close);
}

export interface NodeProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** The last 16 KiB of that, for error messages. */
  outputTail(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/**
 * `node <args>` in `cwd` with exactly `env` (plus PATH and HOME), stdout and stderr going straight to the file
 * `logPath`: no pipe for this process to drain, so reading a server's logs costs the benchmark no CPU.
 */
export function spawnNode(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  logPath: string,
): NodeProcess {
  const log = openSync(logPath, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  children.add(child);
  const output = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  return {
    pid: child.pid,
    child,
    output,
    outputTail: () => output().slice(-OUTPUT_LIMIT),
    exited,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Undo everything, newest first; safe to call more than once. */
export async function cleanUp(): Promise<void> {
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch (error) {
      process.stderr.write(`bench: cleanup step failed: ${(error as Error).message}\n`);
    }
  }
  for (const child of [...children]) child.kill('SIGKILL');
  for (const folder of [...folders]) {
    await rm(folder, { recursive: true, force: true });
    folders.delete(folder);
  }
}

/** Ctrl-C or a kill stops the run cleanly; an unexpected exit still kills the children and removes the folders. */
export function cleanUpOnSignals(): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
    const force = setTimeout(() => process.exit(code), STOP_GRACE_MS + 2_000);
    force.unref();
    cleanUp().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
}

/** A port free on 127.0.0.1 right now (a child is then told to listen on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, in bytes, from /proc/<pid>/status (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export interface HttpRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/** One POST on a fresh connection, failing after `timeoutMs`. */
export function postOnce(port: number, req: HttpRequest, timeoutMs: number): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: req.path,
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** How often a starting server is asked again. */
const POLL_INTERVAL_MS = 5;

/**
 * Send `makeRequest()` to the child's port until it answers 200 with a body `accept`s; resolves with the time that
 * took from `since` (performance.now()). Fails when the child exits or `deadlineMs` passes.
 */
export async function firstGoodReply(
  server: NodeProcess,
  port: number,
  makeRequest: () => HttpRequest,
  accept: (body: string) => boolean,
  since: number,
  deadlineMs: number,
): Promise<number> {
  let last = 'no attempt';
  while (performance.now() - since < deadlineMs) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`the server exited before replying:\n${server.outputTail()}`);
    }
    try {
      const reply = await postOnce(port, makeRequest(), 2_000);
      if (reply.status === 200 && accept(reply.body)) return performance.now() - since;
      last = `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`no good reply within ${deadlineMs} ms (last: ${last})\n${server.outputTail()}`);
}

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
