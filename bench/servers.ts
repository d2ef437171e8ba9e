/**
 * The two servers under test, each its own `node` child process: the built app (`node dist/server.js`, configured by
 * env against local S3, the fake Slack Web API and an SQLite file) and bare Bolt (bench/bare-bolt.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { ALLOWED, SIGNING_SECRET, testEnv, urlFromReply } from '../test/support/app.js';
import { type LocalS3, S3_CREDENTIALS } from '../test/support/s3.js';
import type { FakeSlackApi } from '../test/support/slack-api.js';
import { signedCommand } from './load.js';
import type { Plan } from './plan.js';
import { firstGoodReply, freePort, type NodeProcess, postOnce, spawnNode, tempFolder } from './processes.js';
import { log } from './util.js';

export const ROOT = resolve(import.meta.dirname, '..');

/** How long a starting server may take to give its first good reply before the run fails. */
const START_DEADLINE_MS = 30_000;
export const COMMAND_TEXT = 'report.pdf';

export type Kind = 'ours' | 'bare';

/** What each server must answer to count: ours a signed upload URL, bare Bolt an empty 200 (a plain ack). */
export const ACCEPTS: Record<Kind, (body: string) => boolean> = {
  ours: (body) => body.includes('X-Amz-Signature='),
  bare: (body) => body === '',
};

export interface Context {
  readonly plan: Plan;
  readonly s3: LocalS3;
  readonly slack: FakeSlackApi;
  /** Empty working folder for the servers, so no `.env` is read. */
  readonly cwd: string;
  readonly databasePath: string;
  readonly bareScript: string;
  /** Where each child's stdout and stderr go. */
  readonly logs: string;
}

let started = 0;
const logFile = (ctx: { logs: string }, name: string) => join(ctx.logs, `${++started}-${name}.log`);

export interface Started {
  readonly server: NodeProcess;
  readonly port: number;
  /** From spawn to the first good reply to a signed command. */
  readonly coldStartMs: number;
}

export const command = () => signedCommand(SIGNING_SECRET, COMMAND_TEXT, ALLOWED);

/** The built app (`node dist/server.js`) or bare Bolt, as a child process; resolves once it answers a command. */
export async function startServer(
  ctx: Context,
  kind: Kind,
  nodeFlags: readonly string[] = [],
  /** For ours: variables over the bench's (DATABASE_URL, to run on PostgreSQL). */
  extraEnv: Record<string, string> = {},
): Promise<Started> {
  const port = await freePort();
  const env: Record<string, string> =
    kind === 'ours'
      ? {
          ...testEnv(ctx.s3, ctx.slack, {
            DATABASE_URL: `sqlite:${ctx.databasePath}`,
            LOG_LEVEL: 'warn',
            PORT: String(port),
            ...extraEnv,
          }),
          AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
        }
      : { SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: String(port) };
  const script = kind === 'ours' ? join(ROOT, 'dist/main/server.js') : ctx.bareScript;
  const since = performance.now();
  const server = spawnNode([...nodeFlags, script], env, ctx.cwd, logFile(ctx, kind));
  try {
    const coldStartMs = await firstGoodReply(server, port, command, ACCEPTS[kind], since, START_DEADLINE_MS);
    return { server, port, coldStartMs };
  } catch (error) {
    await server.stop();
    throw new Error(`${kind} did not start: ${(error as Error).message}`);
  }
}

/** `npm run build`, so the app measured is the one in dist/ as it is built now. */
export async function build(logs: string): Promise<void> {
  const since = performance.now();
  const npmCli = process.env.npm_execpath ?? join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
  const npm = spawnNode([npmCli, 'run', 'build'], {}, ROOT, logFile({ logs }, 'build'));
  const { code } = await npm.exited;
  if (code !== 0) throw new Error(`npm run build failed:\n${npm.outputTail()}`);
  log(`built dist/ in ${((performance.now() - since) / 1000).toFixed(1)} s`);
}

/**
 * bench/bare-bolt.ts as plain JavaScript, so both servers start as `node <file.js>` with no TypeScript loader in the
 * way of the cold-start comparison. Written under node_modules/.cache so `@slack/bolt` resolves as it does for dist/.
 */
export async function compileBareBolt(): Promise<string> {
  const source = await readFile(join(ROOT, 'bench/bare-bolt.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: 'bare-bolt.ts',
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const folder = await tempFolder(join(ROOT, 'node_modules/.cache'), 'upload-link-bench-');
  const script = join(folder, 'bare-bolt.mjs');
  await writeFile(script, outputText);
  return script;
}

/** `link.issued` rows in the audit trail, read beside the running server (SQLite in WAL mode allows it). */
export function issuedLinks(databasePath: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'link.issued'").get() as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

/** One real upload through a URL ours hands out, checked by the verifying S3 server: the load measures real work. */
export async function checkUploadWorks(ctx: Context, port: number): Promise<void> {
  const reply = await postOnce(port, command(), 5_000);
  const url = urlFromReply(JSON.parse(reply.body) as Record<string, unknown>);
  const bytes = Buffer.from('upload-link benchmark sanity check\n');
  const put = await fetch(url, { method: 'PUT', body: bytes });
  if (put.status !== 200) throw new Error(`S3 refused the URL ours signed: HTTP ${put.status} ${await put.text()}`);
  const key = decodeURIComponent(new URL(url).pathname.slice(`/${ctx.s3.bucket}/`.length));
  const stored = await ctx.s3.getObject(key);
  if (stored === undefined || !stored.equals(bytes)) throw new Error(`the upload to ${key} was not stored`);
}
