/**
 * The Bolt app: the receiver (HTTP or Socket Mode, with the bot's own routes), and every listener registered on
 * it. Built by src/bootstrap.ts from parts that are already made; knows nothing of how they were made.
 */
import { App, type CustomRoute, HTTPReceiver, type Logger, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config.js';
import type { AdminDeps } from '../core/admin/execute.js';
import type { UploadDeps } from '../core/upload.js';
import { slackClientOptions } from './client.js';
import { registerRevokeButtons } from './listeners/actions/revoke-link.js';
import { registerUploadLinkCommand } from './listeners/commands/upload-link.js';
import { publishHomeView } from './listeners/home/data.js';
import { registerHome } from './listeners/home/index.js';

export const SLACK_EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

export interface SlackAppDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** From `auth.test` at start, so Bolt does not call it again on its own (unhandled) path. */
  readonly identity: BotIdentity;
  readonly upload: UploadDeps;
  readonly admin: AdminDeps;
  readonly now: () => Date;
  /** The bot's own HTTP routes (the partner page), served beside Slack's endpoint. */
  readonly routes: readonly CustomRoute[];
}

const health: CustomRoute = {
  path: HEALTH_PATH,
  method: ['GET'],
  handler: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  },
};

function buildReceiver(config: Config, logger: Logger, routes: readonly CustomRoute[]): Receiver {
  const customRoutes = [health, ...routes];
  if (config.slack.appToken !== undefined) {
    return new SocketModeReceiver({ appToken: config.slack.appToken, logger, customRoutes });
  }
  if (config.slack.signingSecret === undefined) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
  return new HTTPReceiver({
    signingSecret: config.slack.signingSecret,
    endpoints: [SLACK_EVENTS_PATH],
    customRoutes,
    logger,
  });
}

export function buildSlackApp(deps: SlackAppDeps): { app: App; receiver: Receiver } {
  const { config, logger } = deps;
  const receiver = buildReceiver(config, logger, deps.routes);
  const app = new App({
    receiver,
    token: config.slack.botToken,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    // auth.test already ran at start (src/bootstrap.ts); with ids given, Bolt makes no call of its own.
    tokenVerificationEnabled: false,
    logger,
    // Without it Bolt resets the logger to INFO, and LOG_LEVEL would have no effect.
    logLevel: logger.getLevel(),
    convoStore: false,
    // The WebClient's default retries go on for about 30 minutes; our calls are worth a few quick tries at most.
    clientOptions: { ...slackClientOptions(config), retryConfig: { retries: 2 } },
  });

  registerUploadLinkCommand(app, {
    upload: deps.upload,
    admin: deps.admin,
    logger,
    now: deps.now,
    publicUrl: config.publicUrl,
  });
  registerRevokeButtons(app, {
    store: deps.admin.store,
    access: deps.admin.access,
    logger,
    now: deps.now,
    publishHome: (client, userId, feedback) => publishHomeView(deps.admin, client, logger, userId, feedback),
  });
  registerHome(app, { admin: deps.admin, logger });
  app.error(async (error) => {
    logger.error('Unhandled error in a listener:', error);
  });
  return { app, receiver };
}
