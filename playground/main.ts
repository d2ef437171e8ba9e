/**
 * `npm run playground`: start the playground, say where everything is, and on Ctrl-C (SIGINT) or SIGTERM stop it all
 * and remove its temporary files. PLAYGROUND_PORT picks the console's port (the others follow it when free).
 */
import { rmSync } from 'node:fs';
import { DEFAULT_PORT, type Playground, startPlayground } from './playground.js';

/** How long stopping may take before the process exits anyway (the temporary folder is still removed). */
const STOP_GRACE_MS = 5000;

function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`PLAYGROUND_PORT must be a port number (0–65535), not "${value}"\n`);
    process.exit(1);
  }
  return port;
}

async function main(): Promise<void> {
  const port = portFrom(process.env.PLAYGROUND_PORT);
  // The SDK's notice that releases after January 2027 need Node 22 (the README says so once) would be the first thing
  // a newcomer reads here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let playground: Playground | undefined;
  let stopping: number | undefined;

  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      // One Ctrl-C can arrive twice (from the terminal and relayed by npm); only a later one means "now".
      if (Date.now() - stopping < 1000) return;
      process.stderr.write('Stopping now.\n');
      if (playground !== undefined) rmSync(playground.tempDir, { recursive: true, force: true });
      process.exit(1);
    }
    stopping = Date.now();
    process.stdout.write(`\n${signal}: stopping the playground…\n`);
    setTimeout(() => {
      process.stderr.write('Stopping took too long; exiting anyway.\n');
      if (playground !== undefined) rmSync(playground.tempDir, { recursive: true, force: true });
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    (playground?.close() ?? Promise.resolve()).then(
      () => {
        process.stdout.write('Stopped; temporary files removed.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    playground = await startPlayground({
      port,
      onBotProblem: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`The playground could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (stopping !== undefined) return;

  // Since the process started, so loading the modules counts too.
  const seconds = process.uptime().toFixed(1);
  process.stdout.write(
    [
      '',
      `upload-link playground is running (started in ${seconds} s)`,
      '',
      `  Console    ${playground.consoleUrl}   ← open this in your browser`,
      `  Bot        ${playground.botUrl}  (Slack endpoint /slack/events, partner pages /u/<id>)`,
      `  S3         ${playground.s3Endpoint}  (bucket ${playground.bucket}, access key S3RVER / secret S3RVER)`,
      `  Slack API  ${playground.slackApiUrl}  (local stand-in)`,
      `  Temp       ${playground.tempDir}`,
      '',
      ...(port !== 0 && new URL(playground.consoleUrl).port !== String(port)
        ? [`(Port ${port} was taken, so the console is on another one; set PLAYGROUND_PORT to choose.)`, '']
        : []),
      'Press Ctrl-C to stop everything and remove the temporary files.',
      '',
    ].join('\n'),
  );
}

await main();
