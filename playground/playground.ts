/**
 * The playground: the real bot, end to end, on this machine, with no Slack workspace and no AWS account.
 *
 *   console (this folder's page) ──signed Slack requests──▶ bot (/slack/events, /u/<id>)
 *        ▲                                                   │ Web API calls          │ signed URLs
 *        └──────────── server-sent events ◀── Slack stand-in ◀┘                        ▼
 *                                                                    embedded S3 (verifies signatures)
 *
 * The bot is set up exactly as src/main/server.ts sets it up: `loadConfig` on an environment, then `createBot`
 * (src/bootstrap.ts: auth.test, S3 credentials warmed, the store migrated), listening in HTTP mode. What differs is only what
 * the environment points at: the Slack stand-in, the embedded S3 (whose fixed credentials are passed to the signer,
 * as the tests do), a generated signing secret, and an SQLite file in a temporary folder removed on close.
 * Nothing here is imported by src/.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedS3, S3_CREDENTIALS, S3_REGION, startEmbeddedS3 } from '../dev/s3.js';
import { forwardS3Events } from '../dev/s3-events.js';
import { type FakeSlackApi, startFakeSlackApi } from '../dev/slack-api.js';
import { buildPartnerAssets } from '../scripts/build.js';
import { createBot, SLACK_EVENTS_PATH } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/lib/log.js';
import { createConsoleServer } from './console-server.js';
import { ADMIN_ID, ALLOWED_ID } from './directory.js';
import { freePort, HOST, listenPreferring } from './ports.js';
import { Workspace } from './workspace.js';

/** The console on this port, then the bot, S3 and the Slack stand-in on the next three, each when free. */
export const DEFAULT_PORT = 4100;
export const BUCKET = 'playground-uploads';

export interface PlaygroundOptions {
  /** The console's port; 0 → every port is any free one. The others follow it when free. */
  readonly port?: number;
  /** The bot's log level (default info); every line shows in the console's log panel. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the bot's warnings and errors also go (the terminal, in `npm run playground`). */
  readonly onBotProblem?: (line: string) => void;
}

export interface Playground {
  readonly consoleUrl: string;
  readonly botUrl: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly slackApiUrl: string;
  /** The temporary folder holding the database and the bucket; removed by close(). */
  readonly tempDir: string;
  readonly workspace: Workspace;
  close(): Promise<void>;
}

const CONSOLE_ASSETS = join(import.meta.dirname, 'console');

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const base = options.port ?? DEFAULT_PORT;
  const next = (offset: number) => (base === 0 ? 0 : base + offset);
  const tempDir = await mkdtemp(join(tmpdir(), 'upload-link-playground-'));
  // Undone in reverse order by close(), also when a later step fails.
  const undo: (() => Promise<void>)[] = [() => rm(tempDir, { recursive: true, force: true })];
  const close = async () => {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => process.stderr.write(`playground: while stopping: ${String(error)}\n`));
    }
  };

  try {
    const slack: FakeSlackApi = await startFakeSlackApi({ port: next(3) }).catch((error: { code?: string }) => {
      if (error.code !== 'EADDRINUSE') throw error;
      return startFakeSlackApi({ port: 0 });
    });
    undo.push(() => slack.close());
    const workspace = new Workspace(slack.url);
    workspace.installSlackHandlers(slack);

    let bot: { url: string; endpoint: string; signingSecret: string } | undefined;
    let s3: EmbeddedS3 | undefined;
    const consoleServer = createConsoleServer(
      {
        workspace,
        s3: () => s3,
        bot: () => bot,
        slackApiUrl: slack.url,
      },
      CONSOLE_ASSETS,
    );
    const consolePort = await listenPreferring(consoleServer.server, options.port ?? DEFAULT_PORT);
    undo.push(() => closeServer(consoleServer.server));
    const consoleUrl = `http://${HOST}:${consolePort}`;
    consoleServer.setOrigin(consoleUrl);

    // The bot's address is part of its configuration (PUBLIC_URL) and of the bucket's CORS: chosen first.
    const botPort = await freePort(next(1));
    const botUrl = `http://${HOST}:${botPort}`;
    const origins = [consoleUrl, botUrl].flatMap((url) => [url, url.replace(HOST, 'localhost')]);
    const dataDir = join(tempDir, 'db');
    const s3Dir = join(tempDir, 's3');
    await Promise.all([mkdir(dataDir), mkdir(s3Dir)]);
    const startedS3 = await startEmbeddedS3({ directory: s3Dir, bucket: BUCKET, origins, port: next(2) });
    s3 = startedS3;
    undo.push(() => startedS3.close());

    const signingSecret = randomBytes(32).toString('hex');
    // The embedded S3's events reach the bot as Ceph RGW's or MinIO's would: POSTed to /s3/events/<token>.
    const eventsToken = randomBytes(24).toString('hex');
    const botToken = `xoxb-playground-${randomBytes(12).toString('hex')}`;
    const config = loadConfig({
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.url,
      S3_BUCKET: BUCKET,
      AWS_REGION: S3_REGION,
      S3_ENDPOINT: startedS3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      ADMIN_USER_IDS: ADMIN_ID,
      ALLOWED_USER_IDS: ALLOWED_ID,
      PUBLIC_URL: botUrl,
      S3_EVENTS_TOKEN: eventsToken,
      DATABASE_URL: `sqlite:${join(dataDir, 'upload-link.db')}`,
      PORT: String(botPort),
      LOG_LEVEL: options.logLevel ?? 'info',
    });
    const logger = createLogger({
      level: config.logLevel,
      secrets: [botToken, signingSecret, eventsToken, S3_CREDENTIALS.secretAccessKey],
      write: (line) => {
        workspace.log(line);
        if (/^\S+ (WARN|ERROR) /.test(line)) options.onBotProblem?.(line);
      },
    });

    // The same set-up as the server (src/bootstrap.ts); the partner page's script is built here as `npm run build`
    // builds it, into the temporary folder.
    const assetsDir = join(tempDir, 'assets');
    await buildPartnerAssets(assetsDir);
    // The embedded S3 (s3rver) has no ListParts or AbortMultipartUpload: the page sends every file in one PUT here,
    // up to 5 GB, and says so.
    const running = await createBot({ config, logger, credentials: S3_CREDENTIALS, assetsDir, multipart: false });
    await running.start({ port: config.port, host: HOST });
    undo.push(() => running.stop());
    const events = forwardS3Events(startedS3.onChange, `${botUrl}/s3/events/${eventsToken}`, (problem) =>
      logger.warn(`playground: ${problem}`),
    );
    undo.push(async () => events.stop());
    bot = { url: botUrl, endpoint: `${botUrl}${SLACK_EVENTS_PATH}`, signingSecret };
    logger.info(`upload-link is listening on ${botUrl} (HTTP mode, Slack endpoint ${SLACK_EVENTS_PATH})`);

    return {
      consoleUrl: `${consoleUrl}/`,
      botUrl,
      s3Endpoint: startedS3.endpoint,
      bucket: BUCKET,
      slackApiUrl: slack.url,
      tempDir,
      workspace,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Close a server now: server-sent event streams and keep-alive connections would otherwise hold it open. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
