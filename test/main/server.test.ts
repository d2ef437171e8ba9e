import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN, SIGNING_SECRET, testEnv } from '../support/app.js';
import { type BotProcess, spawnBot } from '../support/process.js';
import { type LocalS3, S3_CREDENTIALS, startLocalS3 } from '../support/s3.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/slack-api.js';
import { commandBody, slackSignature } from '../support/slack-request.js';

/**
 * A signed command whose body is held back: `started` resolves once the server has read the request head (it
 * answers `100 Continue` to `Expect: 100-continue`), so the request is truly in flight; `finish()` sends the body.
 */
function heldBackCommand(port: number, filename: string) {
  const body = commandBody({ text: filename, user_id: 'U0ADMIN' });
  const timestamp = Math.floor(Date.now() / 1000);
  const head = [
    'POST /slack/events HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/x-www-form-urlencoded',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Slack-Request-Timestamp: ${timestamp}`,
    `X-Slack-Signature: ${slackSignature(SIGNING_SECRET, timestamp, body)}`,
    'Expect: 100-continue',
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  const socket = connect(port, '127.0.0.1');
  let response = '';
  let onContinue: () => void = () => {};
  const started = new Promise<void>((done) => {
    onContinue = done;
  });
  socket.on('data', (chunk) => {
    response += chunk;
    if (response.startsWith('HTTP/1.1 100')) onContinue();
  });
  let failure: Error | undefined;
  socket.on('error', (error) => {
    failure = error;
  });
  const closed = new Promise<void>((done) => socket.on('close', () => done()));
  socket.write(head);
  return {
    started,
    async finish() {
      // The body, and no half-close: Slack keeps its side open for the answer (a FIN first would make Node abort a
      // request still being handled, as node:http does without httpAllowHalfOpen).
      socket.write(body);
      await closed;
      if (failure) throw failure;
      return response.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
    },
  };
}

describe('the bot process', () => {
  let bot: BotProcess | undefined;
  let s3: LocalS3 | undefined;
  let slack: FakeSlackApi | undefined;
  afterEach(async () => {
    await bot?.cleanup();
    await s3?.close();
    await slack?.close();
    bot = s3 = slack = undefined;
  });

  const awsEnv = {
    AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
  };

  it('lists every configuration problem in plain words and exits 1 without a stack trace', async () => {
    bot = await spawnBot({ SLACK_BOT_TOKEN: 'not-a-token', S3_BUCKET: '', MAX_EXPIRY: '9d' });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    const out = bot.output();
    expect(out).toContain('SLACK_BOT_TOKEN must be a bot token');
    expect(out).toContain('S3_BUCKET is missing');
    expect(out).toContain('AWS_REGION is missing');
    expect(out).toContain('SLACK_SIGNING_SECRET is missing');
    expect(out).toContain('MAX_EXPIRY must be');
    expect(out).not.toMatch(/^\s+at /m);
  });

  it('exits 1 with one clear message when Slack rejects the token', async () => {
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
    slack.handle('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    bot = await spawnBot({ ...testEnv(s3, slack), ...awsEnv });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    const out = bot.output();
    expect(out).toContain('Slack did not accept SLACK_BOT_TOKEN (invalid_auth)');
    expect(out).not.toMatch(/Unhandled|^\s+at /m);
    expect(out).not.toContain(BOT_TOKEN);
  });

  it('exits 1 with a clear message when Slack cannot be reached at all', async () => {
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
    const env = { ...testEnv(s3, slack), ...awsEnv, SLACK_API_URL: 'http://127.0.0.1:9/api/' };
    bot = await spawnBot(env);
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.output()).toContain("Could not reach Slack's Web API at http://127.0.0.1:9/api/");
    expect(bot.output()).not.toMatch(/Unhandled|^\s+at /m);
  });

  it('serves, and on SIGTERM under load finishes every request in flight before exiting 0', async () => {
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
    bot = await spawnBot({ ...testEnv(s3, slack), ...awsEnv, LOG_LEVEL: 'info' });
    const port = await bot.listening;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // Under load: 40 requests are in flight (heads read, bodies held back), the bot is told to stop, then every
    // one sends its body. Every request in flight must still get its reply, then the process exits 0.
    const inFlight = Array.from({ length: 40 }, (_, i) => heldBackCommand(port, `report-${i}.pdf`));
    await Promise.all(inFlight.map((r) => r.started));
    bot.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const responses = await Promise.all(inFlight.map((r) => r.finish()));
    for (const [i, response] of responses.entries()) {
      expect(response).toMatch(/^HTTP\/1\.1 200/);
      expect(response).toContain(`report-${i}.pdf`);
      expect(response).toContain('X-Amz-Signature');
    }
    const { code } = await bot.exited;
    expect(code).toBe(0);
    expect(bot.output()).toContain('SIGTERM received');
    expect(bot.output()).not.toContain(SIGNING_SECRET);
  });

  it('no AWS credentials at start: one clear message and exit 1, like any other configuration problem', async () => {
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
    // No keys, no profile (HOME is empty), and no instance metadata service to wait for.
    bot = await spawnBot({ ...testEnv(s3, slack), AWS_EC2_METADATA_DISABLED: 'true' });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    const out = bot.output();
    expect(out).toMatch(/^upload-link cannot start: no AWS credentials could be loaded/m);
    expect(out).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE');
    expect(out).not.toMatch(/Unhandled|^\s+at /m);
  });

  it('runs as the Procfile says, as the process itself: SIGTERM to that PID stops the bot and frees the port', async () => {
    const procfile = await readFile('Procfile', 'utf8');
    const web = /^web:\s*(.+)$/m.exec(procfile)?.[1]?.trim() ?? '';
    const argv = web.split(/\s+/);
    // Not `npm start`: npm would take the SIGTERM and leave node running, holding the port.
    expect(argv[0]).toBe('node');
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
    bot = await spawnBot({ ...testEnv(s3, slack), ...awsEnv, LOG_LEVEL: 'info' }, argv);
    const port = await bot.listening;
    process.kill(bot.child.pid as number, 'SIGTERM');
    const { code } = await bot.exited;
    expect(code).toBe(0);
    const refused = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        done(false);
      });
      socket.on('error', () => done(true));
    });
    expect(refused).toBe(true);
  });
});
