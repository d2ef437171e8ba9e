/**
 * The process: read and validate the environment once, check the Slack token, warm the AWS credentials, start the
 * app, and stop cleanly on SIGTERM/SIGINT. The only module that reads `process.env`.
 */
import { WebClient } from '@slack/web-api';
import dotenv from 'dotenv';
import { createS3Signer } from '../aws/signer.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../lib/log.js';
import { type BotIdentity, buildApp, SLACK_EVENTS_PATH } from '../slack/app.js';
import { type AccessStore, describeTarget, openAccessStore } from '../store/index.js';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

class StartupError extends Error {
  override name = 'StartupError';
}

async function checkSlackToken(config: Config): Promise<BotIdentity> {
  const client = new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl }),
    retryConfig: { retries: 2 },
  });
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
        `Could not reach Slack's Web API at ${config.slack.apiUrl ?? 'https://slack.com/api/'} (${(error as Error).message}). Check the network, or SLACK_API_URL if you set it.`,
      );
    }
    const code = (error as { data?: { error?: string } }).data?.error;
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    throw new StartupError(
      `Slack did not accept SLACK_BOT_TOKEN (${reason}). Check the Bot User OAuth Token on your app's OAuth & Permissions page, and that the app is installed to the workspace.`,
    );
  }
}

export async function main(env: NodeJS.ProcessEnv): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`upload-link cannot start: the configuration has problems:\n`);
      for (const problem of error.problems) process.stderr.write(`  - ${problem}\n`);
      process.stderr.write('See .env.example for every variable.\n');
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger({
    level: config.logLevel,
    secrets: [
      config.slack.botToken,
      config.slack.signingSecret,
      config.slack.appToken,
      env.AWS_SECRET_ACCESS_KEY,
      env.AWS_SESSION_TOKEN,
    ].filter((s): s is string => s !== undefined && s !== ''),
  });
  process.on('unhandledRejection', (reason) => logger.error('Unhandled promise rejection:', reason));

  let identity: BotIdentity;
  try {
    identity = await checkSlackToken(config);
  } catch (error) {
    process.stderr.write(`upload-link cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }

  const signer = createS3Signer({ target: config.s3 });
  try {
    await signer.warmUp();
  } catch (error) {
    // Keep serving: every /upload-link gets a clear reply, and the SDK retries the chain on the next request.
    logger.error(
      `AWS credentials are not available yet: ${(error as Error).message}. Links cannot be signed until they are.`,
    );
  }

  let store: AccessStore;
  try {
    store = openAccessStore(config.database, logger);
    const { applied } = await store.migrate();
    logger.info(
      `Access store: ${describeTarget(config.database)}${applied.length > 0 ? ` (applied migrations: ${applied.join(', ')})` : ''}`,
    );
  } catch (error) {
    process.stderr.write(
      `upload-link cannot start: the access store (${describeTarget(config.database)}) could not be opened or migrated: ${(error as Error).message}\n`,
    );
    process.exit(1);
  }

  const running = buildApp({ config, signer, store, logger, identity });
  const server = await running.start(config.port);
  const address = server?.address();
  logger.info(
    address && typeof address === 'object'
      ? `upload-link is listening on port ${address.port} (HTTP mode, Slack endpoint ${SLACK_EVENTS_PATH})`
      : 'upload-link is connected to Slack (Socket Mode)',
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing in-flight requests, then exiting`);
    setTimeout(() => {
      logger.warn('Shutdown took too long; exiting now');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    running
      .stop()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('Error while stopping:', error);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

dotenv.config({ quiet: true });
main(process.env).catch((error: unknown) => {
  process.stderr.write(`upload-link cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
