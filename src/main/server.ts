/**
 * The process: read and validate the environment once, set the bot up (src/bootstrap.ts), listen, and stop
 * cleanly on SIGTERM/SIGINT. With main/cli.ts, the only module that reads `process.env`.
 */
import dotenv from 'dotenv';
import { createBot, listeningPort, SLACK_EVENTS_PATH, StartupError } from '../bootstrap.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { errorMessage } from '../lib/errors.js';
import { createLogger } from '../lib/log.js';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

function cannotStart(message: string): never {
  process.stderr.write(`upload-link cannot start: ${message}\n`);
  process.exit(1);
}

function configFrom(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write('upload-link cannot start: the configuration has problems:\n');
    for (const problem of error.problems) process.stderr.write(`  - ${problem}\n`);
    process.stderr.write('See .env.example for every variable.\n');
    process.exit(1);
  }
}

export async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const config = configFrom(env);
  const logger = createLogger({
    level: config.logLevel,
    secrets: [
      config.slack.botToken,
      config.slack.signingSecret,
      config.slack.appToken,
      config.arrivals.eventsToken,
      env.AWS_SECRET_ACCESS_KEY,
      env.AWS_SESSION_TOKEN,
    ].filter((s): s is string => s !== undefined && s !== ''),
  });
  process.on('unhandledRejection', (reason) => logger.error('Unhandled promise rejection:', reason));

  const bot = await createBot({ config, logger }).catch((error: unknown) => {
    if (error instanceof StartupError) cannotStart(error.message);
    throw error;
  });
  // Handlers first: a SIGTERM that comes as soon as the bot says it listens must still find them.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing in-flight requests, then exiting`);
    setTimeout(() => {
      logger.warn('Shutdown took too long; exiting now');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('Error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const server = await bot.start({ port: config.port });
  logger.info(
    server === undefined
      ? 'upload-link is connected to Slack (Socket Mode)'
      : `upload-link is listening on port ${listeningPort(server)} (HTTP mode, Slack endpoint ${SLACK_EVENTS_PATH})`,
  );
}

dotenv.config({ quiet: true });
main(process.env).catch((error: unknown) => cannotStart(errorMessage(error)));
