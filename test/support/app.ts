/**
 * The real app on a loopback port, against a real verifying S3 server and the fake Slack Web API.
 * Each test builds its own and closes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTNER_ASSETS_DIR } from '../../scripts/build.js';
import type { ArrivalWorker } from '../../src/arrivals/worker.js';
import type { SignerOptions, UploadSigner } from '../../src/aws/signer.js';
import { type BotIdentity, createBot, SLACK_EVENTS_PATH } from '../../src/bootstrap.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { GroupDirectory } from '../../src/core/ports.js';
import { createLogger } from '../../src/lib/log.js';
import type { OpenStore } from '../../src/store/index.js';
import { type LocalS3, S3_CREDENTIALS, S3_REGION, startLocalS3 } from './s3.js';
import { type FakeSlackApi, startFakeSlackApi } from './slack-api.js';
import { type CommandFields, commandBody, type PostOptions, postSigned, type SignedPost } from './slack-request.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-0000-token';
export const ADMIN = 'U0ADMIN';
export const ALLOWED = 'U0ALICE';
export const STRANGER = 'U0MALLORY';

export interface TestApp {
  readonly baseUrl: string;
  readonly config: Config;
  readonly s3: LocalS3;
  readonly slack: FakeSlackApi;
  readonly store: OpenStore;
  /** Announcement retries and the poller; `runOnce()` drives them (with `arrivalTickMs: 0`, nothing else does). */
  readonly arrivals: ArrivalWorker;
  readonly logs: string[];
  command(fields: CommandFields, options?: PostOptions): Promise<SignedPost>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly credentials?: SignerOptions['credentials'];
  readonly signer?: (config: Config) => UploadSigner;
  readonly groups?: GroupDirectory;
  readonly now?: () => Date;
  /** DATABASE_URL; by default a fresh SQLite file in a temporary folder, removed on close. */
  readonly databaseUrl?: string;
  /** Skip auth.test at start (for a Slack Web API that is unreachable on purpose). */
  readonly identity?: BotIdentity;
  /** Shared with other test apps (they are then not closed with this one). */
  readonly s3?: LocalS3;
  readonly slack?: FakeSlackApi;
  /** BotOptions.multipart: false plays a storage without ListParts (the playground's). */
  readonly multipart?: boolean;
  readonly sweepIntervalMs?: number;
  /** How the app reaches SNS (test/support/sns.ts's stand-in). */
  readonly snsAgent?: Agent;
  /** The arrivals' background round interval (ms); 0: only `arrivals.runOnce()`. */
  readonly arrivalTickMs?: number;
}

/** The environment a test app runs with; tests override single variables. */
export function testEnv(s3: LocalS3, slack: FakeSlackApi, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    S3_BUCKET: s3.bucket,
    AWS_REGION: S3_REGION,
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    ADMIN_USER_IDS: ADMIN,
    ALLOWED_USER_IDS: ALLOWED,
    LOG_LEVEL: 'debug',
    PORT: '0',
    ...extra,
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const s3 = options.s3 ?? (await startLocalS3());
  const slack = options.slack ?? (await startFakeSlackApi());
  const dataDir = options.databaseUrl === undefined ? await mkdtemp(join(tmpdir(), 'upload-link-db-')) : undefined;
  const databaseUrl = options.databaseUrl ?? `sqlite:${join(dataDir as string, 'upload-link.db')}`;
  const config = loadConfig(testEnv(s3, slack, { DATABASE_URL: databaseUrl, ...options.env }));
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    secrets: [BOT_TOKEN, SIGNING_SECRET, S3_CREDENTIALS.secretAccessKey, config.arrivals.eventsToken].filter(
      (s): s is string => s !== undefined,
    ),
    write: (line) => logs.push(line),
  });
  const bot = await createBot({
    config,
    logger,
    credentials: options.credentials ?? S3_CREDENTIALS,
    assetsDir: PARTNER_ASSETS_DIR,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.signer === undefined ? {} : { signer: options.signer(config) }),
    ...(options.groups === undefined ? {} : { groups: options.groups }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.multipart === undefined ? {} : { multipart: options.multipart }),
    ...(options.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.sweepIntervalMs }),
    ...(options.snsAgent === undefined ? {} : { snsAgent: options.snsAgent }),
    ...(options.arrivalTickMs === undefined ? {} : { arrivalTickMs: options.arrivalTickMs }),
  });
  const { store } = bot;
  const server = await bot.start({ port: 0, host: '127.0.0.1' });
  if (server === undefined) throw new Error('the test app runs in HTTP mode');
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    config,
    s3,
    slack,
    store,
    arrivals: bot.arrivals,
    logs,
    command: (fields, postOptions) =>
      postSigned(`${baseUrl}${SLACK_EVENTS_PATH}`, SIGNING_SECRET, commandBody(fields), postOptions),
    async close() {
      assertNoSecretsLogged(logs, config.arrivals.eventsToken === undefined ? [] : [config.arrivals.eventsToken]);
      await bot.stop();
      if (options.s3 === undefined) await s3.close();
      if (options.slack === undefined) await slack.close();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Read a reply the way Slack shows it: the first preformatted block holds the URL. */
export function urlFromReply(reply: Record<string, unknown> | undefined): string {
  const blocks = (reply?.blocks ?? []) as {
    type: string;
    elements?: { type: string; elements?: { text?: string }[] }[];
  }[];
  for (const block of blocks) {
    for (const element of block.elements ?? []) {
      if (element.type === 'rich_text_preformatted') {
        const text = element.elements?.map((e) => e.text ?? '').join('') ?? '';
        if (text.startsWith('http')) return text;
      }
    }
  }
  throw new Error(`no URL in reply: ${JSON.stringify(reply)}`);
}

/** Every string of a reply (blocks and fallback), for "never shows X" checks. */
export const replyText = (reply: Record<string, unknown> | undefined): string => JSON.stringify(reply ?? {});

/** Every integration test's logs, at debug level, are checked for what must never be logged. */
export function assertNoSecretsLogged(logs: readonly string[], extraSecrets: readonly string[] = []): void {
  const text = logs.join('\n');
  const leaks = [
    /X-Amz-Signature(=|%3D)(?!\[redacted\])/i,
    /X-Amz-Security-Token(=|%3D)(?!\[redacted\])/i,
    /xox[a-z]-(?!\[redacted\])/,
    /xapp-(?!\[redacted\])/,
  ].filter((pattern) => pattern.test(text));
  const values = [SIGNING_SECRET, BOT_TOKEN, S3_CREDENTIALS.secretAccessKey, ...extraSecrets].filter((v) =>
    text.includes(v),
  );
  if (leaks.length > 0 || values.length > 0) {
    throw new Error(
      `secrets in the logs: ${[...leaks.map(String), ...values.map(() => '<a secret value>')].join(', ')}`,
    );
  }
}
