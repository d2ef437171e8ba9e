/**
 * The Bolt app as a value: built from its dependencies, started and stopped by whoever holds it
 * (the server entry point in production, tests on loopback ports).
 */
import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type Logger, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { createAccessPolicy } from './access.js';
import { type AdminDeps, adminCommandOf, runAdminCommand } from './admin.js';
import { tokenize } from './command.js';
import type { Config } from './config.js';
import { type GroupDirectory, slackGroupDirectory } from './groups.js';
import { registerHome } from './home.js';
import { COMMAND, messages, renderLines, renderOutcome } from './render.js';
import type { UploadSigner } from './signer.js';
import type { AccessStore } from './store/index.js';
import { handleUploadCommand, type UploadDeps } from './upload.js';

export const SLACK_EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

export interface AppDeps {
  readonly config: Config;
  readonly signer: UploadSigner;
  readonly store: AccessStore;
  readonly logger: Logger;
  /** From `auth.test` at start, so Bolt does not call it again on its own (unhandled) path. */
  readonly identity: BotIdentity;
  /** User group membership; by default read from Slack's Web API (cached 60 s). */
  readonly groups?: GroupDirectory;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

export interface RunningApp {
  readonly app: App;
  /** Listen (HTTP mode: on `port`, 0 for any free one) or connect (Socket Mode). */
  start(port: number): Promise<Server | undefined>;
  /** Stop accepting, let in-flight requests finish. */
  stop(): Promise<void>;
}

const health: CustomRoute = {
  path: HEALTH_PATH,
  method: ['GET'],
  handler: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  },
};

function buildReceiver(config: Config, logger: Logger): Receiver {
  if (config.slack.appToken !== undefined) {
    return new SocketModeReceiver({ appToken: config.slack.appToken, logger, customRoutes: [health] });
  }
  if (config.slack.signingSecret === undefined) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
  return new HTTPReceiver({
    signingSecret: config.slack.signingSecret,
    endpoints: [SLACK_EVENTS_PATH],
    customRoutes: [health],
    logger,
  });
}

/** Calls made while a user waits for a reply: no retries, and a short timeout, within Slack's 3 seconds. */
const IN_REQUEST_CALL_OPTIONS = { retryConfig: { retries: 0 }, timeout: 1500 } as const;

export function buildApp(deps: AppDeps): RunningApp {
  const { config, logger, store } = deps;
  const now = deps.now ?? (() => new Date());
  const receiver = buildReceiver(config, logger);
  const slackApi = config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl };
  const app = new App({
    receiver,
    token: config.slack.botToken,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    // auth.test already ran at start (see server.ts); with ids given, Bolt makes no call of its own.
    tokenVerificationEnabled: false,
    logger,
    convoStore: false,
    // The WebClient's default retries go on for about 30 minutes; our calls are worth a few quick tries at most.
    clientOptions: { ...slackApi, retryConfig: { retries: 2 } },
  });

  const groups =
    deps.groups ??
    slackGroupDirectory(new WebClient(config.slack.botToken, { ...slackApi, ...IN_REQUEST_CALL_OPTIONS, logger }));
  const access = createAccessPolicy({ lists: config, store, groups });
  const uploadDeps: UploadDeps = {
    settings: config,
    store,
    access,
    signer: deps.signer,
    now,
    ...(deps.newId === undefined ? {} : { newId: deps.newId }),
    onSigningUnavailable: (error) => logger.error(`Cannot sign upload links: ${error.message}`),
    onStoreUnavailable: (error) => logger.error(`Access store unavailable: ${error.message}`),
  };
  const adminDeps: AdminDeps = {
    settings: config,
    configAdmins: config.adminUserIds,
    configAllowed: config.allowedUserIds,
    store,
    access,
    groups,
    now,
  };

  app.command(COMMAND, async ({ command, ack }) => {
    try {
      const tokens = tokenize(command.text);
      if (adminCommandOf(tokens) !== undefined) {
        const result = await runAdminCommand(adminDeps, command.user_id, tokens, command.channel_id);
        await ack(renderLines(result.lines));
        return;
      }
      const outcome = await handleUploadCommand(uploadDeps, {
        userId: command.user_id,
        channelId: command.channel_id,
        tokens,
      });
      if (outcome.kind === 'issued') {
        logger.info(`link issued user=${command.user_id} channel=${command.channel_id} key=${outcome.link.key}`);
      } else if (outcome.kind === 'refused') {
        logger.info(`link refused user=${command.user_id} channel=${command.channel_id}`);
      }
      await ack(renderOutcome(outcome, now()));
    } catch (error) {
      logger.error('Command failed:', error);
      await ack({ response_type: 'ephemeral', text: messages.internalError() });
    }
  });

  registerHome(app, { adminDeps, access, store, groups, logger, now });

  app.error(async (error) => {
    logger.error('Unhandled error in a listener:', error);
  });

  return {
    app,
    async start(port) {
      const started = await app.start(port);
      return receiver instanceof HTTPReceiver ? (started as Server) : undefined;
    },
    async stop() {
      await app.stop();
    },
  };
}
