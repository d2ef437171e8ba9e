import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const MINIMAL = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  S3_BUCKET: 'partner-uploads',
  AWS_REGION: 'eu-west-1',
} as const;

/** The problems loadConfig reports for `env`; fails the test when it does not throw a ConfigError. */
function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('a minimal valid environment gets the documented defaults', () => {
    expect(loadConfig({ ...MINIMAL })).toMatchObject({
      slack: {
        botToken: 'xoxb-1111-2222-abc',
        signingSecret: 'signing-secret-value',
        appToken: undefined,
        apiUrl: undefined,
      },
      s3: { bucket: 'partner-uploads', region: 'eu-west-1', endpoint: undefined, forcePathStyle: false },
      uploadPrefix: 'uploads/',
      defaultExpirySeconds: 24 * 3600,
      maxExpirySeconds: 7 * 86_400,
      adminUserIds: [],
      allowedUserIds: [],
      port: 3000,
      logLevel: 'info',
    });
  });

  it('reads LOG_LEVEL in any case', () => {
    expect(loadConfig({ ...MINIMAL, LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
  });

  it('reads DATABASE_URL: SQLite by default, sqlite:<path>, postgres://', () => {
    expect(loadConfig(MINIMAL).database).toEqual({ dialect: 'sqlite', path: './data/upload-link.db' });
    expect(loadConfig({ ...MINIMAL, DATABASE_URL: 'sqlite:/var/lib/ul.db' }).database).toEqual({
      dialect: 'sqlite',
      path: '/var/lib/ul.db',
    });
    expect(loadConfig({ ...MINIMAL, DATABASE_URL: 'sqlite:///var/lib/ul.db' }).database).toEqual({
      dialect: 'sqlite',
      path: '/var/lib/ul.db',
    });
    const pg = 'postgres://ul:secret@db.internal:5432/upload_link';
    expect(loadConfig({ ...MINIMAL, DATABASE_URL: pg }).database).toEqual({ dialect: 'postgres', url: pg });
    expect(() => loadConfig({ ...MINIMAL, DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be sqlite:<path> or postgres:/,
    );
  });

  it('reads every optional setting', () => {
    const config = loadConfig({
      ...MINIMAL,
      SLACK_APP_TOKEN: 'xapp-1-A1-xyz',
      SLACK_API_URL: 'http://127.0.0.1:4000/api',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'true',
      UPLOAD_PREFIX: 'partners/incoming/',
      DEFAULT_EXPIRY: '2h',
      MAX_EXPIRY: '3d',
      ADMIN_USER_IDS: 'U012AB3CD, W0ADMIN2',
      ALLOWED_USER_IDS: 'U0ALLOWED1,U0ALLOWED2,U0ALLOWED1',
      PORT: '8080',
      LOG_LEVEL: 'debug',
    });
    expect(config.slack.appToken).toBe('xapp-1-A1-xyz');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4000/api/');
    expect(config.s3).toEqual({
      bucket: 'partner-uploads',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    });
    expect(config.uploadPrefix).toBe('partners/incoming/');
    expect(config.defaultExpirySeconds).toBe(7200);
    expect(config.maxExpirySeconds).toBe(3 * 86_400);
    expect(config.adminUserIds).toEqual(['U012AB3CD', 'W0ADMIN2']);
    expect(config.allowedUserIds).toEqual(['U0ALLOWED1', 'U0ALLOWED2']); // duplicates dropped
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('debug');
  });

  it('trims values', () => {
    const config = loadConfig({ ...MINIMAL, S3_BUCKET: '  partner-uploads  ', PORT: ' 8080 ' });
    expect(config.s3.bucket).toBe('partner-uploads');
    expect(config.port).toBe(8080);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['Off', false],
  ])('S3_FORCE_PATH_STYLE=%j → %s', (value, expected) => {
    expect(loadConfig({ ...MINIMAL, S3_FORCE_PATH_STYLE: value }).s3.forcePathStyle).toBe(expected);
  });

  it('empty and blank strings count as missing: optional ones take their defaults', () => {
    const config = loadConfig({
      ...MINIMAL,
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: '',
      S3_ENDPOINT: ' ',
      S3_FORCE_PATH_STYLE: '',
      UPLOAD_PREFIX: '',
      DEFAULT_EXPIRY: '',
      MAX_EXPIRY: '  ',
      ADMIN_USER_IDS: '',
      ALLOWED_USER_IDS: '',
      PORT: '',
      LOG_LEVEL: '',
    });
    expect(config).toEqual(loadConfig({ ...MINIMAL }));
  });

  it('empty strings count as missing: required ones are reported missing', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: ' ', S3_BUCKET: '', AWS_REGION: '\t' });
    expect(problems).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is missing: .*OAuth/),
      expect.stringMatching(/^S3_BUCKET is missing/),
      expect.stringMatching(/^AWS_REGION is missing/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET is missing: .*SLACK_APP_TOKEN/),
    ]);
  });

  it('lists every problem at once, each naming its variable in plain words', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      S3_BUCKET: 'Not_A_Bucket',
      AWS_REGION: 'Ireland',
      S3_ENDPOINT: 'ftp://example.com',
      S3_FORCE_PATH_STYLE: 'maybe',
      UPLOAD_PREFIX: '/uploads',
      DEFAULT_EXPIRY: 'soon',
      ADMIN_USER_IDS: 'alice',
      PORT: '99999',
      LOG_LEVEL: 'loud',
    });
    const expected = [
      'SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)',
      'S3_BUCKET must be a bucket name',
      'AWS_REGION must be a region code such as eu-west-1',
      'S3_ENDPOINT must be an http(s) URL',
      'S3_FORCE_PATH_STYLE must be true or false, not "maybe"',
      'DEFAULT_EXPIRY must be a number and a unit m, h, d or w (e.g. 24h), not "soon"',
      'ADMIN_USER_IDS must be Slack user IDs separated by commas (like U012AB3CD); not user IDs: alice',
      'PORT must be 0–65535',
      'LOG_LEVEL must be one of debug, info, warn, error',
      'SLACK_SIGNING_SECRET is missing',
      'UPLOAD_PREFIX must not start with "/"',
      'UPLOAD_PREFIX must end with "/"',
    ];
    for (const text of expected)
      expect(
        problems.some((p) => p.startsWith(text)),
        text,
      ).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it('the error message lists the problems one per line, without a stack in the message', () => {
    try {
      loadConfig({});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.name).toBe('ConfigError');
      expect(configError.message.split('\n')[0]).toBe('Invalid configuration:');
      for (const problem of configError.problems) expect(configError.message).toContain(`  - ${problem}`);
      expect(configError.message).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it.each(['8d', '2w', '169h'])('MAX_EXPIRY=%s (over 7 days) is refused', (max) => {
    expect(problemsOf({ ...MINIMAL, MAX_EXPIRY: max })).toEqual([
      'MAX_EXPIRY must be 1 minute to 1 week (7 days is the longest a pre-signed URL can live)',
    ]);
  });

  it('MAX_EXPIRY under a minute is refused', () => {
    expect(problemsOf({ ...MINIMAL, MAX_EXPIRY: '0m' })).toEqual([
      'MAX_EXPIRY must be 1 minute to 1 week (7 days is the longest a pre-signed URL can live)',
    ]);
  });

  it('MAX_EXPIRY of exactly 7 days and of exactly 1 minute is accepted', () => {
    expect(loadConfig({ ...MINIMAL, MAX_EXPIRY: '1w' }).maxExpirySeconds).toBe(604_800);
    expect(loadConfig({ ...MINIMAL, MAX_EXPIRY: '1m', DEFAULT_EXPIRY: '1m' }).maxExpirySeconds).toBe(60);
  });

  it('DEFAULT_EXPIRY above MAX_EXPIRY is refused, naming the allowed range', () => {
    expect(problemsOf({ ...MINIMAL, MAX_EXPIRY: '2h', DEFAULT_EXPIRY: '3h' })).toEqual([
      'DEFAULT_EXPIRY must be 1 minute to 2 hours (the range MAX_EXPIRY allows)',
    ]);
    // The default DEFAULT_EXPIRY (24h) is checked against a smaller MAX_EXPIRY too.
    expect(problemsOf({ ...MINIMAL, MAX_EXPIRY: '12h' })).toEqual([
      'DEFAULT_EXPIRY must be 1 minute to 12 hours (the range MAX_EXPIRY allows)',
    ]);
    expect(problemsOf({ ...MINIMAL, DEFAULT_EXPIRY: '8d' })).toEqual([
      'DEFAULT_EXPIRY must be 1 minute to 1 week (the range MAX_EXPIRY allows)',
    ]);
  });

  it('DEFAULT_EXPIRY equal to MAX_EXPIRY is accepted', () => {
    const config = loadConfig({ ...MINIMAL, MAX_EXPIRY: '2h', DEFAULT_EXPIRY: '120m' });
    expect(config.defaultExpirySeconds).toBe(7200);
    expect(config.maxExpirySeconds).toBe(7200);
  });

  it.each(['10y', '1.5h', '1constructor', '30s'])('an expiry that is not a duration (%j) is refused', (value) => {
    expect(problemsOf({ ...MINIMAL, MAX_EXPIRY: value })).toEqual([
      `MAX_EXPIRY must be a number and a unit m, h, d or w (e.g. 24h), not "${value}"`,
    ]);
  });

  it('SLACK_APP_TOKEN makes the signing secret optional (Socket Mode)', () => {
    const { SLACK_SIGNING_SECRET: _, ...withoutSecret } = MINIMAL;
    expect(problemsOf(withoutSecret)).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is missing/)]);
    const config = loadConfig({ ...withoutSecret, SLACK_APP_TOKEN: 'xapp-1-A1-xyz' });
    expect(config.slack.signingSecret).toBeUndefined();
    expect(config.slack.appToken).toBe('xapp-1-A1-xyz');
  });

  it('SLACK_APP_TOKEN must be an app-level token', () => {
    expect(problemsOf({ ...MINIMAL, SLACK_APP_TOKEN: 'xoxb-not-an-app-token' })).toEqual([
      'SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)',
    ]);
  });

  it.each([
    ['alice', 'alice'],
    ['u012ab3cd', 'u012ab3cd'],
    ['C012AB3CD', 'C012AB3CD'],
    ['U012AB3CD, <@U999>', '<@U999>'],
    ['U1', 'U1'],
  ])('ALLOWED_USER_IDS=%j is refused, naming %j', (value, bad) => {
    expect(problemsOf({ ...MINIMAL, ALLOWED_USER_IDS: value })).toEqual([
      `ALLOWED_USER_IDS must be Slack user IDs separated by commas (like U012AB3CD); not user IDs: ${bad}`,
    ]);
  });

  it('user id lists tolerate spaces and stray commas', () => {
    expect(loadConfig({ ...MINIMAL, ADMIN_USER_IDS: ' U012AB3CD ,, W0ADMIN2 , ' }).adminUserIds).toEqual([
      'U012AB3CD',
      'W0ADMIN2',
    ]);
  });

  it.each([
    ['/uploads/', ['UPLOAD_PREFIX must not start with "/"']],
    ['uploads', ['UPLOAD_PREFIX must end with "/"']],
    ['uploads/../', ['UPLOAD_PREFIX must not contain "." or ".." parts']],
    ['a//b/', ['UPLOAD_PREFIX must not contain "//"']],
    [`${'x'.repeat(600)}/`, ['UPLOAD_PREFIX must be at most 512 bytes']],
  ])('UPLOAD_PREFIX=%j is refused', (prefix, problems) => {
    expect(problemsOf({ ...MINIMAL, UPLOAD_PREFIX: prefix })).toEqual(problems);
  });

  it.each([
    ['http://127.0.0.1:4000/api', 'http://127.0.0.1:4000/api/'],
    ['http://127.0.0.1:4000/api/', 'http://127.0.0.1:4000/api/'],
    ['https://slack-gov.com/api//', 'https://slack-gov.com/api/'],
  ])('SLACK_API_URL %j ends in exactly one slash', (value, expected) => {
    expect(loadConfig({ ...MINIMAL, SLACK_API_URL: value }).slack.apiUrl).toBe(expected);
  });

  it.each(['not a url', 'ftp://example.com/api'])('SLACK_API_URL=%j is refused', (value) => {
    expect(problemsOf({ ...MINIMAL, SLACK_API_URL: value })).toEqual(['SLACK_API_URL must be an http(s) URL']);
  });

  it.each([
    ['abc', 'PORT must be a number'],
    ['65536', 'PORT must be 0–65535'],
  ])('PORT=%j is refused', (value, problem) => {
    expect(problemsOf({ ...MINIMAL, PORT: value })).toEqual([problem]);
  });

  it('S3_SSE and S3_SSE_KMS_KEY_ID: encryption headers for every signed upload, checked together', () => {
    expect(loadConfig({ ...MINIMAL }).s3.sse).toBeUndefined();
    expect(loadConfig({ ...MINIMAL, S3_SSE: 'AES256' }).s3.sse).toEqual({ mode: 'AES256', kmsKeyId: undefined });
    const kms = loadConfig({ ...MINIMAL, S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: ' alias/uploads ' });
    expect(kms.s3.sse).toEqual({ mode: 'aws:kms', kmsKeyId: 'alias/uploads' });
    expect(problemsOf({ ...MINIMAL, S3_SSE: 'aes256' })).toEqual([
      'S3_SSE must be AES256 or aws:kms (or unset for no encryption headers)',
    ]);
    expect(problemsOf({ ...MINIMAL, S3_SSE: 'AES256', S3_SSE_KMS_KEY_ID: 'alias/uploads' })).toEqual([
      'S3_SSE_KMS_KEY_ID is set, but only applies with S3_SSE=aws:kms',
    ]);
  });

  it('the result is deeply frozen', () => {
    const config = loadConfig({ ...MINIMAL, ADMIN_USER_IDS: 'U012AB3CD' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(Object.isFrozen(config.s3)).toBe(true);
    expect(Object.isFrozen(config.adminUserIds)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => (config.adminUserIds as string[]).push('U0EVIL')).toThrow(TypeError);
  });
});
