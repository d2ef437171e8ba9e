/**
 * The bot as a real process (`dist/main/server.js`, built once for the run by test/global-setup.ts), in an empty working directory so no `.env` leaks in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { entryArgs } from './entry.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface BotProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the port once the bot logs that it listens; rejects if it exits first. */
  readonly listening: Promise<number>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup(): Promise<void>;
}

/**
 * The bot as a process; `argv` (program and arguments) defaults to `node dist/main/server.js`. Arguments naming a
 * file of the project (as the Procfile's do) are resolved against the project, since the process runs elsewhere.
 */
export async function spawnBot(env: Record<string, string>, argv?: readonly string[]): Promise<BotProcess> {
  const cwd = await mkdtemp(join(tmpdir(), 'upload-link-proc-'));
  const [program, ...args] = argv ?? [process.execPath, ...entryArgs('server')];
  const resolved = args.map((arg) => (existsSync(join(ROOT, arg)) ? join(ROOT, arg) : arg));
  const child = spawn(program === 'node' ? process.execPath : (program as string), resolved, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  const listening = new Promise<number>((done, fail) => {
    const onData = () => {
      const match = /listening on port (\d+)/.exec(output);
      if (match) done(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then(({ code }) => fail(new Error(`bot exited (${code}) before listening:\n${output}`)));
  });
  listening.catch(() => {});
  return {
    child,
    output: () => output,
    listening,
    exited,
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npx upload-link …args` in `cwd`, run to its end, with only PATH, HOME and `env` in its environment. */
export function runCli(cwd: string, env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, entryArgs('cli', ...args), {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
