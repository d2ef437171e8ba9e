/**
 * The Bolt app as a value: built from its dependencies, started and stopped by whoever holds it
 * (the server entry point in production, tests on loopback ports).
 */
import type { Server } from 'node:http';
import {
  App,
  type BlockAction,
  type ButtonAction,
  type CustomRoute,
  HTTPReceiver,
  type Logger,
  type Receiver,
  SocketModeReceiver,
} from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { createObjectOps, type ObjectOps } from '../aws/objects.js';
import { createS3Client, type UploadSigner } from '../aws/signer.js';
import type { Config } from '../config.js';
import { createAccessPolicy } from '../core/access.js';
import { type AdminDeps, adminCommandOf, runAdminCommand } from '../core/admin.js';
import { type Piece, type Token, tokenize } from '../core/command.js';
import { linkIdFrom, revokeMessages, revokePartnerLink } from '../core/links.js';
import { handleUploadCommand, type UploadDeps } from '../core/upload.js';
import { type ArrivalNotice, createPartnerRoutes } from '../partner/routes.js';
import { type AccessStore, StoreUnavailableError } from '../store/index.js';
import { type GroupDirectory, slackGroupDirectory } from './groups.js';
import { registerHome } from './home.js';
import { REVOKE_LINK_ACTION } from './ids.js';
import { slackArrivalNotifier } from './notify.js';
import { COMMAND, messages, renderLines, renderOutcome } from './views/reply.js';

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
  /** S3 calls behind the partner page; by default a client from the config and the SDK's credential chain. */
  readonly objects?: ObjectOps;
  readonly newLinkId?: () => string;
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

function buildReceiver(config: Config, logger: Logger, routes: CustomRoute[]): Receiver {
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

/** Calls made while a user waits for a reply: no retries, and a short timeout, within Slack's 3 seconds. */
const IN_REQUEST_CALL_OPTIONS = { retryConfig: { retries: 0 }, timeout: 1500 } as const;

export function buildApp(deps: AppDeps): RunningApp {
  const { config, logger, store } = deps;
  const now = deps.now ?? (() => new Date());
  const slackApi = config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl };
  const groups =
    deps.groups ??
    slackGroupDirectory(new WebClient(config.slack.botToken, { ...slackApi, ...IN_REQUEST_CALL_OPTIONS, logger }));
  const access = createAccessPolicy({ lists: config, store, groups });

  // The partner page: only with a public URL to point partners at.
  let notify: (notice: ArrivalNotice) => Promise<void> = async () => {};
  let routes: CustomRoute[] = [];
  if (config.publicUrl !== undefined) {
    const objects = deps.objects ?? createObjectOps(createS3Client({ target: config.s3 }), config.s3.bucket);
    let origin: Promise<string> | undefined;
    routes = createPartnerRoutes({
      store,
      objects,
      settings: config,
      bucket: config.s3.bucket,
      logger,
      now,
      notify: (notice) => notify(notice),
      // Where signed URLs point (the page's CSP allows uploads there): worked out once, with no AWS call.
      uploadOrigin: () =>
        (origin ??= objects
          .signExactPut('probe', { length: 1, contentType: 'application/octet-stream' }, 60, new Date())
          .then((url) => new URL(url).origin)),
    });
  }

  const receiver = buildReceiver(config, logger, routes);
  const app = new App({
    receiver,
    token: config.slack.botToken,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    // auth.test already ran at start (see server.ts); with ids given, Bolt makes no call of its own.
    tokenVerificationEnabled: false,
    logger,
    // Without it Bolt resets the logger to INFO, and LOG_LEVEL would have no effect.
    logLevel: logger.getLevel(),
    convoStore: false,
    // The WebClient's default retries go on for about 30 minutes; our calls are worth a few quick tries at most.
    clientOptions: { ...slackApi, retryConfig: { retries: 2 } },
  });

  notify = slackArrivalNotifier(app.client, config.s3.bucket);
  const uploadDeps: UploadDeps = {
    settings: config,
    store,
    access,
    signer: deps.signer,
    now,
    ...(deps.newId === undefined ? {} : { newId: deps.newId }),
    ...(config.publicUrl === undefined
      ? {}
      : {
          partnerPages: {
            publicUrl: config.publicUrl,
            ...(deps.newLinkId === undefined ? {} : { newLinkId: deps.newLinkId }),
          },
        }),
    onSigningUnavailable: (error) => logger.error(`Cannot sign upload links: ${error.message}`),
    onStoreUnavailable: (error) => logger.error(`Access store unavailable: ${error.message}`),
  };
  const revokeDeps = { store, access, now };
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
      if (isRevoke(tokens)) {
        const id = tokens.length === 2 ? linkIdFrom(tokens[1]?.pieces.map(rawPiece).join('') ?? '') : undefined;
        const text =
          id === undefined
            ? revokeMessages.usage
            : await revokePartnerLink(revokeDeps, command.user_id, id).catch((error: unknown) => {
                if (error instanceof StoreUnavailableError) return messages.storeUnavailable();
                throw error;
              });
        await ack({ response_type: 'ephemeral', text });
        return;
      }
      if (adminCommandOf(tokens) !== undefined) {
        const result = await runAdminCommand(adminDeps, command.user_id, tokens, command.channel_id);
        await ack(renderLines(result.lines));
        return;
      }
      const outcome = await handleUploadCommand(uploadDeps, {
        userId: command.user_id,
        channelId: command.channel_id,
        channelName: command.channel_name,
        teamName: command.team_domain,
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

  app.action<BlockAction<ButtonAction>>(REVOKE_LINK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    let text: string;
    try {
      text = await revokePartnerLink(revokeDeps, body.user.id, action.value ?? '');
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      text = messages.storeUnavailable();
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text });
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

const isRevoke = (tokens: readonly Token[]) => !tokens[0]?.quoted && tokens[0]?.text.toLowerCase() === 'revoke';

/** A pasted page address arrives as a Slack link; the id is in its target. */
const rawPiece = (piece: Piece): string =>
  piece.kind === 'link' ? piece.target : piece.kind === 'text' ? piece.text : '';
