/**
 * The baseline for the HTTP benchmarks: a Bolt app of the same version, on the same receiver and Slack endpoint,
 * that only acks `/upload-link`. Started by bench/run.ts as its own `node` process, configured by env
 * (SLACK_SIGNING_SECRET, PORT). It makes no Slack calls: the bot identity is given, so Bolt skips auth.test.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const signingSecret = process.env.SLACK_SIGNING_SECRET;
const port = Number(process.env.PORT);
if (signingSecret === undefined || signingSecret === '' || !Number.isInteger(port) || port <= 0) {
  process.stderr.write('bare-bolt needs SLACK_SIGNING_SECRET and PORT\n');
  process.exit(1);
}

const app = new App({
  receiver: new HTTPReceiver({ signingSecret, endpoints: ['/slack/events'] }),
  token: 'xoxb-bench-bare-bolt',
  botId: 'B0BOT',
  botUserId: 'U0BOT',
  tokenVerificationEnabled: false,
  // The same App options as ours (src/app.ts), so the difference measured is our handler, not Bolt's set-up.
  convoStore: false,
  logLevel: LogLevel.WARN,
});

app.command('/upload-link', ({ ack }) => ack());

await app.start(port);
const stop = () => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
