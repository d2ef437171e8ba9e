/**
 * The environment, validated once at start into one typed, frozen object. Nothing else reads `process.env`.
 * Empty strings count as missing; every problem is reported at once, in plain words.
 */
import { z } from 'zod';
import { parseTopicArn } from './arrivals/topic.js';
import type { ServerSideEncryption } from './aws/sse.js';
import { describeRange, MIN_EXPIRY_SECONDS, parseDuration, SIGV4_MAX_SECONDS } from './core/durations.js';
import { prefixProblems } from './core/keys.js';
import { USER_ID } from './core/slack-ids.js';
import { type DatabaseTarget, parseDatabaseUrl } from './store/database.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  readonly slack: {
    readonly botToken: string;
    /** Absent only in Socket Mode. */
    readonly signingSecret: string | undefined;
    /** Set → Socket Mode. */
    readonly appToken: string | undefined;
    /** Base URL of Slack's Web API, ending in `/`; undefined → Slack's own. */
    readonly apiUrl: string | undefined;
  };
  readonly s3: {
    readonly bucket: string;
    readonly region: string;
    readonly endpoint: string | undefined;
    readonly forcePathStyle: boolean;
    /** S3_SSE (+ S3_SSE_KMS_KEY_ID): encryption headers signed into every upload; undefined → none. */
    readonly sse: ServerSideEncryption | undefined;
  };
  readonly uploadPrefix: string;
  readonly defaultExpirySeconds: number;
  readonly maxExpirySeconds: number;
  readonly adminUserIds: readonly string[];
  readonly allowedUserIds: readonly string[];
  /** The bot's public base URL (no trailing slash); set → replies carry a partner page link. */
  readonly publicUrl: string | undefined;
  /** Where access rules and the audit trail live: DATABASE_URL (SQLite file by default). */
  readonly database: DatabaseTarget;
  readonly port: number;
  readonly logLevel: LogLevel;
  /** Proxies in front of the bot that append to X-Forwarded-For (1 on Heroku); 0: the socket's address counts. */
  readonly trustProxy: number;
  /** How the bot learns that files arrived (src/arrivals/, core/arrivals.ts). */
  readonly arrivals: ArrivalsConfig;
}

export interface ArrivalsConfig {
  /** S3_EVENTS_SNS_TOPIC_ARN → `POST /s3/events` accepts SNS messages for this topic (AWS). */
  readonly snsTopicArn: string | undefined;
  /** S3_EVENTS_TOKEN → `POST /s3/events/<token>` accepts raw S3 event records (Ceph RGW, MinIO). */
  readonly eventsToken: string | undefined;
  /** Raw links are checked with HeadObject (ARRIVAL_POLLING; `auto`: when no S3 events can reach the bot). */
  readonly polling: boolean;
  /** At most this many HeadObject calls a minute per instance. */
  readonly pollMaxPerMinute: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (general purpose buckets)
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

const text = () => z.string().trim();

const duration = (name: string) =>
  text().transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a number and a unit m, h, d or w (e.g. 24h), not "${value}"`,
      });
      return z.NEVER;
    }
    return seconds;
  });

const userIds = (name: string) =>
  text().transform((value, ctx) => {
    const ids = value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    const bad = ids.filter((id) => !USER_ID.test(id));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be Slack user IDs separated by commas (like U012AB3CD); not user IDs: ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(ids)];
  });

const flag = (name: string) =>
  text().transform((value, ctx) => {
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false, not "${value}"` });
    return z.NEVER;
  });

const url = (name: string) =>
  text().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: `${name} must be an http(s) URL`,
  });

const required = (name: string, what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `${name} is missing: ${what}` : undefined),
});

const schema = z.object({
  SLACK_BOT_TOKEN: optional(text().regex(/^xoxb-/, 'SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)')).pipe(
    z.string(required('SLACK_BOT_TOKEN', "the Bot User OAuth Token from your Slack app's OAuth & Permissions page")),
  ),
  SLACK_SIGNING_SECRET: optional(text()),
  SLACK_APP_TOKEN: optional(
    text().regex(/^xapp-/, 'SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)'),
  ),
  SLACK_API_URL: optional(url('SLACK_API_URL')),
  S3_BUCKET: optional(
    text().regex(BUCKET_NAME, 'S3_BUCKET must be a bucket name (3 to 63 lowercase letters, digits, dots or hyphens)'),
  ).pipe(z.string(required('S3_BUCKET', 'the name of the bucket uploads go to'))),
  AWS_REGION: optional(text().regex(REGION, 'AWS_REGION must be a region code such as eu-west-1')).pipe(
    z.string(required('AWS_REGION', "the bucket's region, such as eu-west-1")),
  ),
  S3_ENDPOINT: optional(url('S3_ENDPOINT')),
  S3_FORCE_PATH_STYLE: optional(flag('S3_FORCE_PATH_STYLE')),
  S3_SSE: optional(
    z.enum(['AES256', 'aws:kms'], { error: 'S3_SSE must be AES256 or aws:kms (or unset for no encryption headers)' }),
  ),
  S3_SSE_KMS_KEY_ID: optional(text()),
  UPLOAD_PREFIX: optional(text()),
  DEFAULT_EXPIRY: optional(duration('DEFAULT_EXPIRY')),
  MAX_EXPIRY: optional(duration('MAX_EXPIRY')),
  ADMIN_USER_IDS: optional(userIds('ADMIN_USER_IDS')),
  ALLOWED_USER_IDS: optional(userIds('ALLOWED_USER_IDS')),
  PUBLIC_URL: optional(url('PUBLIC_URL')),
  DATABASE_URL: optional(
    text().refine((value) => parseDatabaseUrl(value) !== undefined, {
      message: 'DATABASE_URL must be sqlite:<path> or postgres://user:password@host:port/database',
    }),
  ),
  PORT: optional(z.coerce.number({ error: 'PORT must be a number' }).int().min(0).max(65_535, 'PORT must be 0–65535')),
  S3_EVENTS_SNS_TOPIC_ARN: optional(
    text().refine((value) => parseTopicArn(value) !== undefined, {
      message:
        'S3_EVENTS_SNS_TOPIC_ARN must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:upload-link-events',
    }),
  ),
  S3_EVENTS_TOKEN: optional(
    text().regex(
      /^[A-Za-z0-9_-]{32,256}$/,
      'S3_EVENTS_TOKEN must be 32 to 256 letters, digits, - or _ (make one with: openssl rand -hex 32)',
    ),
  ),
  ARRIVAL_POLLING: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
      z.enum(['auto', 'on', 'off'], { error: 'ARRIVAL_POLLING must be one of auto, on, off' }),
    ),
  ),
  ARRIVAL_POLL_MAX_PER_MINUTE: optional(
    z.coerce
      .number({ error: 'ARRIVAL_POLL_MAX_PER_MINUTE must be a number' })
      .int('ARRIVAL_POLL_MAX_PER_MINUTE must be a whole number')
      .min(1, 'ARRIVAL_POLL_MAX_PER_MINUTE must be 1–6000')
      .max(6000, 'ARRIVAL_POLL_MAX_PER_MINUTE must be 1–6000'),
  ),
  TRUST_PROXY: optional(
    text().regex(/^\d{1,2}$/, 'TRUST_PROXY must be the number of proxies in front of the bot (1 on Heroku), or empty'),
  ),
  PGSSLMODE: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
      z.enum(['disable', 'require', 'verify-ca', 'verify-full', 'no-verify'], {
        error: 'PGSSLMODE must be one of disable, require, verify-full, no-verify (no-verify on Heroku Postgres)',
      }),
    ),
  ),
  LOG_LEVEL: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
      z.enum(['debug', 'info', 'warn', 'error'], { error: 'LOG_LEVEL must be one of debug, info, warn, error' }),
    ),
  ),
});

const trimmedValue = (env: Readonly<Record<string, string | undefined>>, name: string) =>
  env[name]?.trim() ? env[name]?.trim() : undefined;

/** Checks across variables; run on the raw values so they are reported even when other variables are wrong. */
function crossProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const get = (name: string) => trimmedValue(env, name);
  const problems: string[] = [];
  if (get('SLACK_APP_TOKEN') === undefined && get('SLACK_SIGNING_SECRET') === undefined) {
    problems.push(
      "SLACK_SIGNING_SECRET is missing: the Signing Secret from your Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)",
    );
  }
  problems.push(...settingsProblems(env));
  if (get('SLACK_APP_TOKEN') !== undefined) {
    for (const name of ['S3_EVENTS_SNS_TOPIC_ARN', 'S3_EVENTS_TOKEN']) {
      if (get(name) !== undefined) {
        problems.push(
          `${name} needs HTTP mode: in Socket Mode the bot has no public endpoint for S3 events (arrivals are found by polling; unset ${name} or SLACK_APP_TOKEN)`,
        );
      }
    }
  }
  if (get('S3_SSE_KMS_KEY_ID') !== undefined && get('S3_SSE') !== 'aws:kms') {
    problems.push('S3_SSE_KMS_KEY_ID is set, but only applies with S3_SSE=aws:kms');
  }
  return problems;
}

/** The cross checks on UPLOAD_PREFIX, DEFAULT_EXPIRY and MAX_EXPIRY, shared by loadConfig and loadCliConfig. */
function settingsProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const get = (name: string) => trimmedValue(env, name);
  const problems: string[] = [];
  for (const problem of prefixProblems(get('UPLOAD_PREFIX') ?? DEFAULTS.uploadPrefix)) {
    problems.push(`UPLOAD_PREFIX ${problem}`);
  }
  const maxText = get('MAX_EXPIRY');
  const defText = get('DEFAULT_EXPIRY');
  const max = maxText === undefined ? DEFAULTS.maxExpirySeconds : parseDuration(maxText);
  const def = defText === undefined ? DEFAULTS.defaultExpirySeconds : parseDuration(defText);
  if (max !== undefined && (max < MIN_EXPIRY_SECONDS || max > SIGV4_MAX_SECONDS)) {
    const ceiling = { minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: SIGV4_MAX_SECONDS };
    problems.push(`MAX_EXPIRY must be ${describeRange(ceiling)} (7 days is the longest a pre-signed URL can live)`);
  } else if (max !== undefined && def !== undefined && (def < MIN_EXPIRY_SECONDS || def > max)) {
    const range = describeRange({ minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: max });
    problems.push(`DEFAULT_EXPIRY must be ${range} (the range MAX_EXPIRY allows)`);
  }
  return problems;
}

const DEFAULTS = {
  uploadPrefix: 'uploads/',
  defaultExpirySeconds: 24 * 3600,
  maxExpirySeconds: 7 * 86_400,
  port: 3000,
  logLevel: 'info' as LogLevel,
  pollMaxPerMinute: 60,
};

/** `auto`: poll when no S3 events can reach the bot (neither SNS nor the webhook configured). */
function arrivalsConfig(e: z.infer<typeof schema>): ArrivalsConfig {
  const events = e.S3_EVENTS_SNS_TOPIC_ARN !== undefined || e.S3_EVENTS_TOKEN !== undefined;
  const mode = e.ARRIVAL_POLLING ?? 'auto';
  return {
    snsTopicArn: e.S3_EVENTS_SNS_TOPIC_ARN,
    eventsToken: e.S3_EVENTS_TOKEN,
    polling: mode === 'on' || (mode === 'auto' && !events),
    pollMaxPerMinute: e.ARRIVAL_POLL_MAX_PER_MINUTE ?? DEFAULTS.pollMaxPerMinute,
  };
}

/** Validate `env` (normally `process.env` after dotenv) into a Config; throws ConfigError listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const result = schema.safeParse(env);
  const problems = result.success ? [] : issueProblems(result.error.issues);
  problems.push(...crossProblems(env));
  if (!result.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const e = result.data;
  const apiUrl = e.SLACK_API_URL === undefined ? undefined : e.SLACK_API_URL.replace(/\/*$/, '/');
  return deepFreeze({
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl,
    },
    s3: {
      bucket: e.S3_BUCKET,
      region: e.AWS_REGION,
      endpoint: e.S3_ENDPOINT,
      forcePathStyle: e.S3_FORCE_PATH_STYLE ?? false,
      sse: e.S3_SSE === undefined ? undefined : { mode: e.S3_SSE, kmsKeyId: e.S3_SSE_KMS_KEY_ID },
    },
    uploadPrefix: e.UPLOAD_PREFIX ?? DEFAULTS.uploadPrefix,
    defaultExpirySeconds: e.DEFAULT_EXPIRY ?? DEFAULTS.defaultExpirySeconds,
    maxExpirySeconds: e.MAX_EXPIRY ?? DEFAULTS.maxExpirySeconds,
    adminUserIds: e.ADMIN_USER_IDS ?? [],
    allowedUserIds: e.ALLOWED_USER_IDS ?? [],
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    database: withTls(parseDatabaseUrl(e.DATABASE_URL) as DatabaseTarget, e.PGSSLMODE),
    port: e.PORT ?? DEFAULTS.port,
    logLevel: e.LOG_LEVEL ?? DEFAULTS.logLevel,
    arrivals: arrivalsConfig(e),
    trustProxy: e.TRUST_PROXY === undefined ? 0 : Number(e.TRUST_PROXY),
  });
}

/** Zod issues → plain sentences, each starting with the variable's name. */
function issueProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
  });
}

/**
 * What the admin CLI needs: the store and the access and channel settings, but no Slack and no S3, so it works
 * where only DATABASE_URL is set (bootstrapping admins, operations). Same rules and messages as loadConfig.
 */
export type CliConfig = Pick<
  Config,
  'uploadPrefix' | 'defaultExpirySeconds' | 'maxExpirySeconds' | 'adminUserIds' | 'allowedUserIds' | 'database'
>;

const cliSchema = schema.pick({
  PGSSLMODE: true,
  UPLOAD_PREFIX: true,
  DEFAULT_EXPIRY: true,
  MAX_EXPIRY: true,
  ADMIN_USER_IDS: true,
  ALLOWED_USER_IDS: true,
  DATABASE_URL: true,
});

/** Validate the CLI's part of `env` into a CliConfig; throws ConfigError listing every problem. */
export function loadCliConfig(env: Readonly<Record<string, string | undefined>>): CliConfig {
  const result = cliSchema.safeParse(env);
  const problems = result.success ? [] : issueProblems(result.error.issues);
  problems.push(...settingsProblems(env));
  if (!result.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const e = result.data;
  return deepFreeze({
    uploadPrefix: e.UPLOAD_PREFIX ?? DEFAULTS.uploadPrefix,
    defaultExpirySeconds: e.DEFAULT_EXPIRY ?? DEFAULTS.defaultExpirySeconds,
    maxExpirySeconds: e.MAX_EXPIRY ?? DEFAULTS.maxExpirySeconds,
    adminUserIds: e.ADMIN_USER_IDS ?? [],
    allowedUserIds: e.ALLOWED_USER_IDS ?? [],
    database: withTls(parseDatabaseUrl(e.DATABASE_URL) as DatabaseTarget, e.PGSSLMODE),
  });
}

/** PGSSLMODE (as libpq and node-postgres spell it) → how the store connects; only PostgreSQL has TLS. */
function withTls(target: DatabaseTarget, mode: string | undefined): DatabaseTarget {
  if (target.dialect !== 'postgres' || mode === undefined) return target;
  const tls = mode === 'disable' ? 'disable' : mode === 'no-verify' ? 'no-verify' : 'verify';
  return { ...target, tls };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
