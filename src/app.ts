/**
 * The Bolt app as a value: built from its dependencies, started and stopped by whoever holds it
 * (the server entry point in production, tests on loopback ports).
 */
import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type Logger, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { AccessPolicy } from './access.js';
import type { Config } from './config.js';
import { COMMAND, messages, renderOutcome } from './render.js';
import type { UploadSigner } from './signer.js';
import { handleUploadCommand } from './upload.js';

export const SLACK_EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

export interface AppDeps {
  readonly config: Config;
  readonly signer: UploadSigner;
  readonly access: AccessPolicy;
  readonly logger: Logger;
  /** From `auth.test` at start, so Bolt does not call it again on its own (unhandled) path. */
  readonly identity: BotIdentity;
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

export function buildApp(deps: AppDeps): RunningApp {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const receiver = buildReceiver(config, logger);
  const app = new App({
    receiver,
    token: config.slack.botToken,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    // auth.test already ran at start (see server.ts); with ids given, Bolt makes no call of its own.
    tokenVerificationEnabled: false,
    logger,
    convoStore: false,
    clientOptions: config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl },
  });

  const uploadDeps = {
    settings: config,
    access: deps.access,
    signer: deps.signer,
    now,
    ...(deps.newId === undefined ? {} : { newId: deps.newId }),
    onSigningUnavailable: (error: Error) => logger.error(`Cannot sign upload links: ${error.message}`),
  };

  app.command(COMMAND, async ({ command, ack }) => {
    try {
      const outcome = await handleUploadCommand(uploadDeps, {
        userId: command.user_id,
        channelId: command.channel_id,
        text: command.text,
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
