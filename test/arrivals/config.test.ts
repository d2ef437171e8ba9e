/** The arrival settings of the configuration (src/config.ts `arrivals`): S3 events, the webhook token, polling. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const MINIMAL = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  S3_BUCKET: 'partner-uploads',
  AWS_REGION: 'eu-west-1',
} as const;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:upload-link-events';
const TOKEN = 'a'.repeat(64);

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('arrival settings', () => {
  it('by default: no S3 events, polling on at 60 HeadObject calls a minute', () => {
    expect(loadConfig({ ...MINIMAL }).arrivals).toEqual({
      snsTopicArn: undefined,
      eventsToken: undefined,
      polling: true,
      pollMaxPerMinute: 60,
    });
  });

  it.each([
    [{ S3_EVENTS_SNS_TOPIC_ARN: TOPIC }, false],
    [{ S3_EVENTS_TOKEN: TOKEN }, false],
    [{ S3_EVENTS_TOKEN: TOKEN, ARRIVAL_POLLING: 'ON' }, true],
    [{ ARRIVAL_POLLING: 'off' }, false],
    [{ ARRIVAL_POLLING: ' ' }, true],
  ])('%j → polling %s (auto: only where no S3 events reach the bot)', (env, polling) => {
    expect(loadConfig({ ...MINIMAL, ...env }).arrivals.polling).toBe(polling);
  });

  it('reads every arrival setting', () => {
    const env = { S3_EVENTS_SNS_TOPIC_ARN: TOPIC, S3_EVENTS_TOKEN: TOKEN, ARRIVAL_POLL_MAX_PER_MINUTE: '600' };
    expect(loadConfig({ ...MINIMAL, ...env }).arrivals).toEqual({
      snsTopicArn: TOPIC,
      eventsToken: TOKEN,
      polling: false,
      pollMaxPerMinute: 600,
    });
  });

  it('refuses bad values, each in plain words, all at once', () => {
    const problems = problemsOf({
      ...MINIMAL,
      S3_EVENTS_SNS_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:123456789012:q',
      S3_EVENTS_TOKEN: 'short',
      ARRIVAL_POLLING: 'sometimes',
      ARRIVAL_POLL_MAX_PER_MINUTE: '0',
    });
    expect(problems).toEqual([
      'S3_EVENTS_SNS_TOPIC_ARN must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:upload-link-events',
      'S3_EVENTS_TOKEN must be 32 to 256 letters, digits, - or _ (make one with: openssl rand -hex 32)',
      'ARRIVAL_POLLING must be one of auto, on, off',
      'ARRIVAL_POLL_MAX_PER_MINUTE must be 1–6000',
    ]);
  });

  it('S3 events need HTTP mode: in Socket Mode they are refused, naming why', () => {
    const socket = { ...MINIMAL, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-abc' };
    expect(loadConfig(socket).arrivals.polling).toBe(true);
    const problems = problemsOf({ ...socket, S3_EVENTS_TOKEN: TOKEN, S3_EVENTS_SNS_TOPIC_ARN: TOPIC });
    expect(problems).toEqual([
      expect.stringMatching(/^S3_EVENTS_SNS_TOPIC_ARN needs HTTP mode: in Socket Mode .* found by polling/),
      expect.stringMatching(/^S3_EVENTS_TOKEN needs HTTP mode/),
    ]);
  });
});
