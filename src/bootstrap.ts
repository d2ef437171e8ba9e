/**
 * The one set-up of the bot, used by the server, the tests, the bench and the playground:
 *
 *     config → Slack identity (auth.test), S3 client (credentials warmed), store (migrated), side by side → app
 *
 * Each caller brings its config and logger (the server from the environment; tests and the playground from their
 * stand-ins) and may swap a part that is out of reach there (credentials, the clock, group membership).
 * Problems an operator must fix are StartupErrors with a plain message; `start` listens, `stop` drains.
 */
import type { Server } from 'node:http';
import type { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { type App, type CustomRoute, HTTPReceiver, type Logger } from '@slack/bolt';
import { createEventRoutes } from './arrivals/routes.js';
import { createSnsVerifier } from './arrivals/sns.js';
import { type ArrivalWorker, createArrivalWorker } from './arrivals/worker.js';
import { createObjectOps, type ObjectOps } from './aws/objects.js';
import { createS3Client, createS3Signer } from './aws/signer.js';
import type { Config } from './config.js';
import { createAccessPolicy } from './core/access.js';
import type { AdminDeps } from './core/admin/execute.js';
import type { ArrivalDeps } from './core/arrivals.js';
import { createPoller } from './core/polling.js';
import type { GroupDirectory, UploadSigner } from './core/ports.js';
import type { UploadDeps } from './core/upload.js';
import { errorMessage, slackErrorCode } from './lib/errors.js';
import { loadPartnerAssets } from './partner/assets.js';
import { sweepClosedUploads } from './partner/multipart.js';
import { PARTNER_RULES } from './partner/rate-limit.js';
import { createPartnerRoutes, storedAsFor } from './partner/routes.js';
import { type BotIdentity, buildSlackApp, SLACK_EVENTS_PATH } from './slack/app.js';
import { IN_REQUEST_CALL_OPTIONS, slackClient } from './slack/client.js';
import { slackGroupDirectory } from './slack/groups.js';
import { slackArrivalNotifier } from './slack/notify.js';
import { slackChannelPresence } from './slack/presence.js';
import { guardAgainstReplays } from './slack/replay-guard.js';
import { describeTarget, type OpenStore, openStore } from './store/index.js';

export { HEALTH_PATH, SLACK_EVENTS_PATH } from './slack/app.js';
export type { BotIdentity };

/** Something an operator must fix before the bot can serve; the message says what. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface BotOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Known already (tests that cannot reach Slack): no auth.test at start. */
  readonly identity?: BotIdentity;
  /** For tests and the playground; the server uses the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly signer?: UploadSigner;
  readonly groups?: GroupDirectory;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly newLinkId?: () => string;
  /** Where the partner page's built script and stylesheet are (dist/partner/assets by default). */
  readonly assetsDir?: string;
  /**
   * The storage does multipart uploads (true: S3 and real S3-compatible stores). The playground's embedded S3 has no
   * ListParts or AbortMultipartUpload, so there the page sends every file in one PUT (up to 5 GB).
   */
  readonly multipart?: boolean;
  /** How often open multipart uploads of closed links are aborted (default every minute). */
  readonly sweepIntervalMs?: number;
  /** How `POST /s3/events` reaches SNS (certificates, confirmations); tests point it at a local stand-in. */
  readonly snsAgent?: Agent;
  /** How often the arrivals' background round runs (ms); 0: never by itself (tests call `arrivals.runOnce`). */
  readonly arrivalTickMs?: number;
}

export interface Bot {
  readonly app: App;
  readonly store: OpenStore;
  readonly identity: BotIdentity;
  /** Announcement retries and the poller (src/arrivals/worker.ts). */
  readonly arrivals: ArrivalWorker;
  /** HTTP mode: listen (port 0: any free one) and resolve with the server; Socket Mode: connect. */
  start(listen: { port: number; host?: string }): Promise<Server | undefined>;
  /** Stop accepting, let in-flight requests finish, close the store. */
  stop(): Promise<void>;
}

export async function checkSlackToken(config: Config): Promise<BotIdentity> {
  const client = slackClient(config, { retryConfig: { retries: 2 } });
  try {
    const result = await client.auth.test();
    if (!result.ok || result.bot_id === undefined || result.user_id === undefined) {
      throw new StartupError(`Slack's auth.test did not return a bot identity (${result.error ?? 'no bot_id'})`);
    }
    return { botId: result.bot_id, botUserId: result.user_id };
  } catch (error) {
    if (error instanceof StartupError) throw error;
    if ((error as { code?: string }).code === 'slack_webapi_request_error') {
      throw new StartupError(
        `Could not reach Slack's Web API at ${config.slack.apiUrl ?? 'https://slack.com/api/'} (${errorMessage(error)}). Check the network, or SLACK_API_URL if you set it.`,
      );
    }
    throw new StartupError(
      `Slack did not accept SLACK_BOT_TOKEN (${slackErrorCode(error) ?? errorMessage(error)}). Check the Bot User OAuth Token on your app's OAuth & Permissions page, and that the app is installed to the workspace.`,
    );
  }
}

async function openMigratedStore(config: Config, logger: Logger): Promise<OpenStore> {
  const where = describeTarget(config.database);
  try {
    const store = openStore(config.database, logger);
    const { applied } = await store.migrate();
    logger.info(`Access store: ${where}${applied.length > 0 ? ` (applied migrations: ${applied.join(', ')})` : ''}`);
    return store;
  } catch (error) {
    throw new StartupError(`the access store (${where}) could not be opened or migrated: ${errorMessage(error)}`);
  }
}

const limiterFailed = (logger: Logger) => (error: unknown) =>
  logger.warn(`Rate limits counted in memory for now, the store failed: ${errorMessage(error)}`);

/** The partner page's routes, when there is a public URL to point partners at. */
function partnerRoutes(
  options: BotOptions,
  objects: ObjectOps,
  store: OpenStore,
  arrivals: ArrivalDeps,
  now: () => Date,
): CustomRoute[] {
  const { config, logger } = options;
  if (config.publicUrl === undefined) return [];
  let origin: Promise<string> | undefined;
  return createPartnerRoutes({
    store,
    objects,
    assets: loadPartnerAssets(options.assetsDir),
    limits: {
      address: store.rateLimiter(PARTNER_RULES.address, limiterFailed(logger)),
      link: store.rateLimiter(PARTNER_RULES.link, limiterFailed(logger)),
      parts: store.rateLimiter(PARTNER_RULES.parts, limiterFailed(logger)),
    },
    trustProxy: config.trustProxy,
    logger,
    now,
    arrivals,
    // Where signed URLs point (the page's CSP allows uploads there): worked out once, with no AWS call.
    uploadOrigin: () =>
      (origin ??= objects
        .signExactPut('probe', { length: 1, ...storedAsFor({ filename: 'probe' }) }, 60, new Date())
        .then((signed) => new URL(signed.url).origin)),
    multipart: options.multipart ?? true,
  });
}

// --- Arrivals: one set of deps for every source (the page, S3 events, the poller) ----------------------------------

function arrivalDeps(config: Config, logger: Logger, store: OpenStore, now: () => Date, inFlight: Set<Promise<void>>) {
  const deps: ArrivalDeps = {
    store,
    now,
    notify: logged(
      logger,
      slackArrivalNotifier(slackClient(config, { retryConfig: { retries: 2 }, logger }), config.s3.bucket),
    ),
    onNotifyFailed: (link, error, gaveUp) =>
      logger[gaveUp ? 'error' : 'warn'](
        `Could not tell Slack about an arrival for ${JSON.stringify(link.key)}: ${errorMessage(error)}${gaveUp ? ' (given up)' : ' (will retry)'}`,
      ),
    track: (announcement) => {
      inFlight.add(announcement);
      announcement.finally(() => inFlight.delete(announcement));
    },
    announcing: new Set(),
  };
  return deps;
}

/** Every arrival announced is in the log too, as links issued, refused and revoked are. */
function logged(logger: Logger, notify: ArrivalDeps['notify']): ArrivalDeps['notify'] {
  return async (notice) => {
    await notify(notice);
    const how = [notice.replaced ? ' replaced' : '', notice.afterRevoke ? ' after-revoke' : ''].join('');
    logger.info(
      `arrival announced link=${notice.link.id} channel=${notice.link.channelId} size=${notice.size}${how} key=${notice.link.key}`,
    );
  };
}

/** The S3 event routes (HTTP mode; config refuses them in Socket Mode) and the background worker. */
function arrivalParts(options: BotOptions, objects: ObjectOps, arrivals: ArrivalDeps, inFlight: Set<Promise<void>>) {
  const { config, logger } = options;
  const { snsTopicArn, eventsToken, polling, pollMaxPerMinute } = config.arrivals;
  const routes = createEventRoutes({
    arrivals,
    bucket: config.s3.bucket,
    logger,
    ...(eventsToken === undefined ? {} : { token: eventsToken }),
    ...(snsTopicArn === undefined
      ? {}
      : {
          sns: createSnsVerifier({ topicArn: snsTopicArn, ...(options.snsAgent ? { agent: options.snsAgent } : {}) }),
        }),
  });
  const poller = polling
    ? createPoller({
        arrivals,
        head: (key) => objects.head(key),
        maxPerMinute: pollMaxPerMinute,
        onCheckFailed: (link, error) =>
          logger.warn(`Arrivals: HeadObject for ${JSON.stringify(link.key)} failed: ${errorMessage(error)}`),
      })
    : undefined;
  const worker = createArrivalWorker({ arrivals, poller, logger, inFlight, tickMs: options.arrivalTickMs });
  return { routes, worker };
}

/** The bot's own HTTP routes (partner page, S3 events) and the arrivals' worker; closes the store if they fail. */
async function botRoutes(options: BotOptions, s3: S3Client, store: OpenStore, now: () => Date) {
  const objects = createObjectOps(s3, options.config.s3.bucket, options.config.s3.sse);
  const inFlight = new Set<Promise<void>>();
  const arrivals = arrivalDeps(options.config, options.logger, store, now, inFlight);
  try {
    const events = arrivalParts(options, objects, arrivals, inFlight);
    const routes: CustomRoute[] = [...partnerRoutes(options, objects, store, arrivals, now), ...events.routes];
    // The sweep of closed links' multipart uploads runs only where there is a partner page to have started them.
    const sweep =
      options.config.publicUrl === undefined ? undefined : () => sweepClosedUploads({ store, objects, now });
    return { routes, worker: events.worker, sweep };
  } catch (error) {
    await store.close();
    throw new StartupError(errorMessage(error));
  }
}

export async function createBot(options: BotOptions): Promise<Bot> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());

  // One S3 client for signing and for the partner page's calls, so one credential warm-up serves both.
  const s3 = createS3Client({ target: config.s3, credentials: options.credentials });
  const signer = options.signer ?? createS3Signer({ target: config.s3, credentials: options.credentials }, s3);
  // Slack's auth.test, the AWS credentials (and the signing fast path's self-check) and the store do not depend on
  // each other: they overlap, and start-up waits for the slowest rather than for all three in turn.
  const [slack, credentials, opened] = await Promise.allSettled([
    options.identity ?? checkSlackToken(config),
    // No credentials at all is a configuration problem like any other: said once, clearly, at start. (Credentials
    // that expire later are answered per command: "can't sign right now".)
    signer.warmUp().catch((error: unknown) => {
      throw new StartupError(
        `${errorMessage(error)}. Give the bot AWS credentials the usual way: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO (aws sso login), or a role (EC2 instance profile, ECS/EKS task role).`,
      );
    }),
    openMigratedStore(config, logger),
  ]);
  if (slack.status === 'rejected' || credentials.status === 'rejected' || opened.status === 'rejected') {
    if (opened.status === 'fulfilled') await opened.value.close();
    s3.destroy();
    // The first problem in the order they were once checked in: Slack, then AWS, then the store.
    throw [slack, credentials, opened].find((result) => result.status === 'rejected')?.reason;
  }
  const identity = slack.value;
  const store = opened.value;
  const groups = options.groups ?? slackGroupDirectory(slackClient(config, { ...IN_REQUEST_CALL_OPTIONS, logger }));
  const access = createAccessPolicy({ lists: config, store, groups });
  const admin: AdminDeps = {
    settings: config,
    configAdmins: config.adminUserIds,
    configAllowed: config.allowedUserIds,
    store,
    access,
    groups,
    now,
  };
  const upload: UploadDeps = {
    settings: config,
    store,
    access,
    signer,
    now,
    ...(options.newId === undefined ? {} : { newId: options.newId }),
    ...(options.newLinkId === undefined ? {} : { newLinkId: options.newLinkId }),
    ...(config.publicUrl === undefined
      ? {}
      : {
          partnerPages: {
            publicUrl: config.publicUrl,
            ...(options.newLinkId === undefined ? {} : { newLinkId: options.newLinkId }),
          },
        }),
    onSigningUnavailable: (error) => logger.error(`Cannot sign upload links: ${error.message}`),
    rawUploadsAnnounced:
      config.arrivals.polling || config.arrivals.snsTopicArn !== undefined || config.arrivals.eventsToken !== undefined,
    presence: slackChannelPresence(slackClient(config, { ...IN_REQUEST_CALL_OPTIONS, logger })),
  };
  const { routes, worker, sweep } = await botRoutes(options, s3, store, now);
  const sweeper = uploadSweeper(sweep, options.sweepIntervalMs ?? 60_000, logger);
  const { app, receiver } = buildSlackApp({ config, logger, identity, upload, admin, now, routes });
  if (receiver instanceof HTTPReceiver && config.slack.signingSecret !== undefined) {
    guardAgainstReplays(receiver, {
      signingSecret: config.slack.signingSecret,
      endpoints: [SLACK_EVENTS_PATH],
      seen: store.seenRequests,
      logger,
    });
  }

  return {
    app,
    store,
    identity,
    arrivals: worker,
    async start({ port, host }) {
      if (options.arrivalTickMs !== 0) worker.start();
      sweeper.start();
      if (!(receiver instanceof HTTPReceiver)) {
        await app.start();
        return undefined;
      }
      return (await app.start(host === undefined ? port : { port, host })) as Server;
    },
    async stop() {
      await app.stop();
      await worker.stop();
      await sweeper.stop();
      await store.close();
      s3.destroy();
    },
  };
}

/** Runs the sweep every `intervalMs` while the bot runs, one at a time; a failed sweep is tried again next time. */
function uploadSweeper(sweep: (() => Promise<number>) | undefined, intervalMs: number, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const once = async () => {
    try {
      const aborted = await sweep?.();
      if (aborted) logger.info(`Aborted ${aborted} multipart upload(s) of closed links`);
    } catch (error) {
      logger.warn(`Could not abort the multipart uploads of closed links: ${errorMessage(error)}`);
    } finally {
      running = undefined;
    }
  };
  return {
    start() {
      if (sweep === undefined || timer !== undefined) return;
      timer = setInterval(() => {
        running ??= once();
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

/** Where a started server listens, for logs and tests. */
export const listeningPort = (server: Server): number => (server.address() as AddressInfo).port;
