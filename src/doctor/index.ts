/**
 * `npx upload-link doctor`: what an operator checks before (or after) a deploy, as one function returning structured
 * results, and the plain text the CLI prints from them. Each check is one line, ✓ / ! / ✗, with a short fix under
 * a failure:
 *
 *   1. the configuration (the bot's full one, as server.ts loads it);
 *   2. the Slack token (auth.test);
 *   3. the bucket's region against AWS_REGION (a URL signed for another region is refused);
 *   4. the AWS credentials: where they come from, when they expire, and that they sign a PUT under UPLOAD_PREFIX
 *      (nothing is uploaded unless `--write-test`, which PUTs a small object through that URL and leaves it there);
 *   5. the bucket's CORS for the partner page's origin, and the exact JSON to apply when it is missing.
 *
 * Nothing printed may carry a token, secret, signature or AWS key: every line goes through `redact` with the secret
 * values known here, and no signed URL is ever printed.
 */
import {
  type CORSRule,
  GetBucketCorsCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ErrorCode, WebClient } from '@slack/web-api';
import { createS3Client, createS3Signer, SigningUnavailableError } from '../aws/signer.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { formatDuration } from '../core/durations.js';
import { createLogger, redact } from '../lib/log.js';
import { withTimeout } from '../lib/time.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';
export type CheckName = 'config' | 'slack' | 'region' | 'signing' | 'write-test' | 'cors';

export interface CheckResult {
  readonly name: CheckName;
  readonly status: CheckStatus;
  /** The line after ✓ / ! / ✗. */
  readonly summary: string;
  /** What to do about it, and anything to copy (the CORS JSON); printed indented under the summary. */
  readonly details: readonly string[];
}

/** The CORS document `aws s3api put-bucket-cors --cors-configuration` takes. */
export interface CorsDocument {
  readonly CORSRules: readonly CorsRuleJson[];
}

export interface CorsRuleJson {
  readonly ID?: string;
  readonly AllowedOrigins: readonly string[];
  readonly AllowedMethods: readonly string[];
  readonly AllowedHeaders?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAgeSeconds?: number;
}

export interface DoctorReport {
  readonly checks: readonly CheckResult[];
  /** No check failed (warnings allowed): the CLI exits 0. */
  readonly ok: boolean;
  /** Set when the CORS check failed: the document to apply and the command that applies it. */
  readonly corsFix?: { readonly document: CorsDocument; readonly command: string };
  /** Set after `--write-test` uploaded its object. */
  readonly writtenKey?: string;
}

export interface DoctorOptions {
  /** PUT a small object through the signed URL (and leave it there). */
  readonly writeTest?: boolean;
  readonly now?: () => Date;
  /** For tests and tools; the bot itself (and the CLI) uses the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** How long one network call may take before it counts as unreachable. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Where the probe and the write test go, under UPLOAD_PREFIX but apart from every channel's keys. */
export const PROBE_FOLDER = '.upload-link-doctor/';
/** The probe URL is only used at once (by the write test, if at all). */
const PROBE_EXPIRY_SECONDS = 300;

const SYMBOLS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗' };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `20250102T030405Z`: sorts by time, and has nothing a URL or a shell would need to escape. */
const timestamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

const check = (name: CheckName, status: CheckStatus, summary: string, details: readonly string[] = []) =>
  ({ name, status, summary, details }) satisfies CheckResult;

/** The values that must never be printed, from the environment and from the credentials the chain found. */
function secretsOf(env: Readonly<Record<string, string | undefined>>, credentials?: AwsCredentialIdentity) {
  return [
    env.SLACK_BOT_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.SLACK_APP_TOKEN,
    env.AWS_ACCESS_KEY_ID,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    credentials?.accessKeyId,
    credentials?.secretAccessKey,
    credentials?.sessionToken,
  ]
    .map((value) => value?.trim())
    .filter((value): value is string => value !== undefined && value !== '');
}

/** A URL for a message: no user info, no query (a signed URL's query is its signature), no lone trailing `/`. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

// ————— 2. Slack —————

/** WebClient logs its own failures; doctor reports them itself. */
const quietLogger = createLogger({ level: 'error', write: () => {} });

async function checkSlack(config: Config, timeoutMs: number): Promise<CheckResult> {
  const apiUrl = config.slack.apiUrl ?? 'https://slack.com/api/';
  const client = new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logger: quietLogger,
  });
  try {
    const result = await client.auth.test();
    if (result.bot_id === undefined || result.user_id === undefined) {
      return check('slack', 'fail', 'Slack accepted SLACK_BOT_TOKEN, but it is not a bot token (no bot user)', [
        "Use the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page.",
      ]);
    }
    const team = result.team ? `${result.team} (${result.team_id})` : String(result.team_id);
    const user = result.user ? `@${result.user} (${result.user_id})` : result.user_id;
    return check('slack', 'pass', `Slack token works: workspace ${team}, bot user ${user}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === ErrorCode.PlatformError) {
      const reason = (error as { data?: { error?: string } }).data?.error ?? 'refused';
      return check('slack', 'fail', `Slack rejected SLACK_BOT_TOKEN (${reason})`, [
        "Copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page again, and check that the app is still installed in the workspace.",
      ]);
    }
    if (code === ErrorCode.HTTPError) {
      const status = (error as { statusCode?: number }).statusCode;
      return check('slack', 'fail', `Slack's Web API at ${safeUrl(apiUrl)} answered HTTP ${status ?? '?'}`, [
        config.slack.apiUrl === undefined
          ? 'Slack may be having trouble (https://slack-status.com); try again in a few minutes.'
          : 'Check SLACK_API_URL: it must be the base of a Slack Web API, ending in /api/.',
      ]);
    }
    if (code === ErrorCode.RateLimitedError) {
      return check('slack', 'fail', 'Slack is rate limiting auth.test calls with this token right now', [
        'Try again in a minute.',
      ]);
    }
    return check('slack', 'fail', `Could not reach Slack's Web API at ${safeUrl(apiUrl)} (${message(error)})`, [
      config.slack.apiUrl === undefined
        ? 'Check the network (a proxy or firewall between here and slack.com).'
        : 'Check the network, and SLACK_API_URL.',
    ]);
  }
}

// ————— 3. Region —————

/** GetBucketLocation's answer → a region: none means us-east-1, and `EU` is the old name of eu-west-1. */
export function regionFromLocation(constraint: string | undefined): string {
  if (constraint === undefined || constraint === '') return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/** The bucket's region against AWS_REGION, as a check; `note` is added under the line. */
export function compareRegions(bucket: string, bucketRegion: string, configured: string, note?: string): CheckResult {
  const extra = note === undefined ? [] : [note];
  if (bucketRegion === configured) {
    return check('region', 'pass', `Bucket ${bucket} is in ${bucketRegion}, as AWS_REGION says`, extra);
  }
  return check('region', 'fail', `Bucket ${bucket} is in ${bucketRegion}, but AWS_REGION is ${configured}`, [
    `S3 refuses URLs signed for the wrong region. Set AWS_REGION=${bucketRegion}.`,
    ...extra,
  ]);
}

interface S3Failure {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly region: string | undefined;
}

function s3Failure(error: unknown): S3Failure {
  const e = error as {
    name?: string;
    Code?: string;
    Region?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  };
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const header = e.$response?.headers?.['x-amz-bucket-region'];
  return {
    status,
    code: e.Code ?? (e.name === 'Unknown' || e.name === 'UnknownError' ? undefined : e.name),
    region: header || e.Region || undefined,
  };
}

/** An S3 call that did not get an HTTP answer at all: say where it went. */
function unreachable(config: Config, error: unknown): string {
  const where = config.s3.endpoint === undefined ? `S3 in ${config.s3.region}` : `S3 at ${safeUrl(config.s3.endpoint)}`;
  return `Could not reach ${where} (${message(error)})`;
}

async function checkRegion(config: Config, client: S3Client, timeoutMs: number): Promise<CheckResult> {
  const { bucket, region } = config.s3;
  const signal = () => AbortSignal.timeout(timeoutMs);
  try {
    // AWS answers HeadBucket with the bucket's region in x-amz-bucket-region (the SDK's BucketRegion), even when it
    // redirects or refuses: https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
    const head = await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal() });
    if (head.BucketRegion) return compareRegions(bucket, head.BucketRegion, region);
  } catch (error) {
    const failure = s3Failure(error);
    if (failure.region !== undefined) {
      const note =
        failure.status === 403
          ? 'HeadBucket itself was refused (the credentials lack s3:ListBucket on the bucket); S3 still named its region.'
          : undefined;
      return compareRegions(bucket, failure.region, region, note);
    }
    if (failure.status === 403) {
      return check('region', 'warn', `Could not check bucket ${bucket}'s region: S3 refused HeadBucket (403)`, [
        `The credentials lack s3:ListBucket on arn:aws:s3:::${bucket}, which only this check needs. Links can still be signed; make sure AWS_REGION is the bucket's region.`,
      ]);
    }
    if (failure.status === 404) {
      return check('region', 'fail', `Bucket ${bucket} does not exist${config.s3.endpoint ? ' at S3_ENDPOINT' : ''}`, [
        'Check S3_BUCKET (and S3_ENDPOINT if you set it).',
      ]);
    }
    if (failure.status === 301 || failure.status === 307 || failure.status === 400) {
      return check('region', 'fail', `S3 sent HeadBucket for ${bucket} elsewhere (HTTP ${failure.status})`, [
        'The bucket is probably in another region than AWS_REGION; set AWS_REGION to the region shown in the S3 console.',
      ]);
    }
    if (failure.status === undefined) return check('region', 'fail', unreachable(config, error), [networkHint(config)]);
    return check('region', 'fail', `S3 answered HeadBucket for ${bucket} with HTTP ${failure.status}`, [
      failure.code === undefined ? 'Try again; if it persists, check S3_ENDPOINT.' : `S3 said ${failure.code}.`,
    ]);
  }
  // No region header: not AWS itself (MinIO, s3rver, …). Ask with GetBucketLocation.
  try {
    const location = await client.send(new GetBucketLocationCommand({ Bucket: bucket }), { abortSignal: signal() });
    return compareRegions(bucket, regionFromLocation(location.LocationConstraint), region);
  } catch (error) {
    const failure = s3Failure(error);
    if (failure.status === 403) {
      return check('region', 'warn', `Could not check bucket ${bucket}'s region: S3 refused GetBucketLocation (403)`, [
        `The credentials lack s3:GetBucketLocation on arn:aws:s3:::${bucket}, which only this check needs. Make sure AWS_REGION is the bucket's region.`,
      ]);
    }
    if (failure.status === undefined) return check('region', 'fail', unreachable(config, error), [networkHint(config)]);
    return check(
      'region',
      'warn',
      `Could not check bucket ${bucket}'s region (GetBucketLocation: HTTP ${failure.status})`,
      ["Make sure AWS_REGION is the bucket's region."],
    );
  }
}

const networkHint = (config: Config) =>
  config.s3.endpoint === undefined
    ? 'Check the network, and that AWS_REGION is a real region.'
    : 'Check S3_ENDPOINT and that the server is running.';

// ————— 4. Credentials and signing —————

/**
 * Where the SDK's chain found the credentials, in words, when it says so. `$source` is the SDK's own record of the
 * providers involved (its user-agent feature ids, @aws-sdk/types FeatureIds); the most specific one wins.
 */
const SOURCES: readonly [string, string][] = [
  ['CREDENTIALS_SSO', 'IAM Identity Center (SSO)'],
  ['CREDENTIALS_SSO_LEGACY', 'IAM Identity Center (SSO)'],
  ['CREDENTIALS_PROFILE_SSO', 'an SSO profile'],
  ['CREDENTIALS_PROFILE_SSO_LEGACY', 'an SSO profile'],
  ['CREDENTIALS_STS_ASSUME_ROLE_WEB_ID', 'a web identity token (assumed role)'],
  ['CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN', 'a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)'],
  ['CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN', 'a web identity token (profile)'],
  ['CREDENTIALS_STS_ASSUME_ROLE', 'an assumed role'],
  ['CREDENTIALS_PROFILE_PROCESS', 'a credential_process profile'],
  ['CREDENTIALS_PROCESS', 'a credential_process'],
  ['CREDENTIALS_HTTP', 'the container credentials endpoint (ECS/EKS)'],
  ['CREDENTIALS_IMDS', 'the EC2 instance profile'],
  ['CREDENTIALS_PROFILE_LOGIN', 'an `aws login` profile'],
  ['CREDENTIALS_LOGIN', '`aws login`'],
  ['CREDENTIALS_PROFILE', 'the shared credentials/config files (profile)'],
  ['CREDENTIALS_ENV_VARS', 'environment variables'],
  ['CREDENTIALS_CODE', 'the code'],
];

export interface CredentialKind {
  readonly temporary: boolean;
  readonly source: string | undefined;
  readonly expiration: Date | undefined;
}

export function credentialKind(credentials: AwsCredentialIdentity): CredentialKind {
  const recorded = (credentials as { $source?: Record<string, unknown> }).$source ?? {};
  const source = SOURCES.find(([feature]) => Object.hasOwn(recorded, feature))?.[1];
  return {
    temporary: credentials.expiration !== undefined || Boolean(credentials.sessionToken),
    source,
    expiration: credentials.expiration,
  };
}

/** "7 days", "1 hour 30 minutes", "4 minutes": how far off an expiry is, roughly. */
function roughly(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))} seconds`;
  const minutes = Math.floor(seconds / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    days > 0 ? `${days} day${days === 1 ? '' : 's'}` : '',
    hours > 0 ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    days === 0 && rest > 0 ? `${rest} minute${rest === 1 ? '' : 's'}` : '',
  ];
  return parts.filter((p) => p !== '').join(' ');
}

export function describeCredentials(kind: CredentialKind): string {
  const from = kind.source === undefined ? '' : ` from ${kind.source}`;
  if (!kind.temporary) return `static access keys${from}`;
  const until = kind.expiration === undefined ? '' : `, expiring ${kind.expiration.toISOString()}`;
  return `temporary credentials${from}${until}`;
}

interface SigningOutcome {
  readonly result: CheckResult;
  /** The probe URL, for the write test; never printed. */
  readonly url?: string;
  readonly key: string;
}


async function checkSigning(
  config: Config,
  client: S3Client,
  now: Date,
  timeoutMs: number,
  writeTest: boolean,
): Promise<SigningOutcome & { credentials?: AwsCredentialIdentity }> {
  const key = `${config.uploadPrefix}${PROBE_FOLDER}${timestamp(now)}`;
  let credentials: AwsCredentialIdentity;
  try {
    // The chain may go to SSO, STS or the instance metadata service; give it longer than one request.
    credentials = await withTimeout(client.config.credentials(), timeoutMs * 2, 'Loading AWS credentials');
  } catch (error) {
    return {
      key,
      result: check('signing', 'fail', `No AWS credentials could be loaded (${message(error)})`, [
        'Give the bot credentials the usual AWS way: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO (aws sso login), or a role (instance profile, ECS/EKS task role).',
      ]),
    };
  }
  const kind = credentialKind(credentials);
  const described = describeCredentials(kind);
  // Sign exactly as the bot does (same client settings, same fast presigner), with what the chain just gave.
  const signer = createS3Signer({ target: config.s3, credentials });
  let url: string;
  try {
    ({ url } = await signer.signUpload(key, PROBE_EXPIRY_SECONDS, now));
  } catch (error) {
    const expired = error instanceof SigningUnavailableError;
    return {
      key,
      credentials,
      result: check('signing', 'fail', `AWS credentials (${described}) could not sign a PUT: ${message(error)}`, [
        expired
          ? 'Refresh the credentials (e.g. aws sso login), or give the bot longer-lived ones.'
          : 'This is unexpected; please report it.',
      ]),
    };
  }
  // Pitfall 1 (docs/s3-presign-pitfalls.md): a signed empty-body checksum makes S3 refuse every real upload.
  if (/[?&]x-amz-checksum-/i.test(url)) {
    return {
      key,
      credentials,
      result: check('signing', 'fail', 'The signed URL carries a checksum of an empty body: S3 would refuse uploads', [
        "The S3 client must be created with requestChecksumCalculation: 'WHEN_REQUIRED' (src/signer.ts).",
      ]),
    };
  }
  const signed = `AWS credentials (${described}) signed a PUT for ${key}`;
  const nothing = writeTest ? [] : ['(Nothing was uploaded; --write-test uploads a small object there.)'];
  const expiration = kind.expiration;
  if (expiration !== undefined) {
    const left = (expiration.getTime() - now.getTime()) / 1000;
    if (left < config.maxExpirySeconds) {
      return {
        key,
        url,
        credentials,
        result: check(
          'signing',
          'warn',
          `${signed}, but they expire in ${roughly(left)}, before MAX_EXPIRY (${formatDuration(config.maxExpirySeconds)})`,
          [
            'A link dies when the credentials that signed it expire, whatever expiry was asked for; the bot tells users the real expiry, so links may be much shorter than asked.',
            "For full-length links, sign with long-lived credentials (an IAM user's access keys for the bot alone), or lower MAX_EXPIRY to what the credentials last.",
            ...nothing,
          ],
        ),
      };
    }
  }
  return { key, url, credentials, result: check('signing', 'pass', signed, nothing) };
}

/** S3's XML error body → its Code, when there is one. */
const errorCode = (body: string) => /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];

const WRITE_HINTS: Record<string, string> = {
  AccessDenied:
    'The credentials lack s3:PutObject on this key (arn:aws:s3:::<bucket>/<UPLOAD_PREFIX>*), or a bucket policy, SCP or KMS key policy denies it.',
  SignatureDoesNotMatch:
    'The secret key does not belong to the access key id, or something between here and S3 changed the request.',
  InvalidAccessKeyId: 'The access key id does not exist (deleted, or for another account or endpoint).',
  RequestTimeTooSkewed: "This machine's clock is off; sync it (NTP).",
  AuthorizationQueryParametersError: 'The URL was signed for the wrong region: check AWS_REGION.',
  ExpiredToken: 'The session token has expired; refresh the credentials.',
  NoSuchBucket: 'Check S3_BUCKET (and S3_ENDPOINT if you set it).',
};

async function writeTest(config: Config, url: string, key: string, now: Date, timeoutMs: number): Promise<CheckResult> {
  const body = `upload-link doctor write test, ${now.toISOString()}. Safe to delete.\n`;
  const where = `${key} in ${config.s3.bucket}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'PUT', body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return check('write-test', 'fail', `Write test: the PUT to ${where} did not get through (${message(error)})`, [
      networkHint(config),
    ]);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) {
    return check(
      'write-test',
      'pass',
      `Write test: uploaded ${Buffer.byteLength(body)} bytes to ${where} through the signed URL (HTTP ${response.status})`,
      ['The object stays there; delete it when you like (the bot never reads it).'],
    );
  }
  const code = errorCode(text);
  const hint = (code === undefined ? undefined : WRITE_HINTS[code]) ?? 'See the S3 error code above.';
  return check(
    'write-test',
    'fail',
    `Write test: S3 refused the upload to ${where} (HTTP ${response.status}${code === undefined ? '' : ` ${code}`})`,
    [hint.replace('<bucket>', config.s3.bucket).replace('<UPLOAD_PREFIX>', config.uploadPrefix)],
  );
}

// ————— 5. CORS —————

/** An S3 CORS pattern (at most one `*`, any run of characters) against a value. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** What the page's browser upload needs: a PUT from the page's origin with a Content-Type header (a preflight). */
const PAGE_METHOD = 'PUT';
const PAGE_HEADERS = ['content-type'];

export type CorsVerdict =
  | { readonly ok: true; readonly rule: number }
  | { readonly ok: false; readonly reason: 'no-rule' | 'headers' | 'etag'; readonly rule?: number };

/**
 * Whether S3 lets the page upload from `origin`, read as S3 reads its rules: the first rule whose origin, method
 * and requested headers all match is the one applied (and its ExposeHeaders are the ones the browser sees).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html#cors-eval-criteria
 */
export function evaluateCors(rules: readonly CORSRule[], origin: string): CorsVerdict {
  let originAndMethod: number | undefined;
  for (const [index, rule] of rules.entries()) {
    const originOk = (rule.AllowedOrigins ?? []).some((pattern) => wildcardMatch(pattern, origin, false));
    const methodOk = (rule.AllowedMethods ?? []).some((method) => method.toUpperCase() === PAGE_METHOD);
    if (!originOk || !methodOk) continue;
    originAndMethod ??= index;
    const headersOk = PAGE_HEADERS.every((header) =>
      (rule.AllowedHeaders ?? []).some((pattern) => wildcardMatch(pattern, header, true)),
    );
    if (!headersOk) continue;
    const exposesEtag = (rule.ExposeHeaders ?? []).some((header) => header.toLowerCase() === 'etag');
    return exposesEtag ? { ok: true, rule: index } : { ok: false, reason: 'etag', rule: index };
  }
  return originAndMethod === undefined
    ? { ok: false, reason: 'no-rule' }
    : { ok: false, reason: 'headers', rule: originAndMethod };
}

/**
 * The rule the page needs. PUT only: the page never reads from S3 (the bot confirms arrivals with HeadObject, from
 * the server, where CORS does not apply). ETag exposed so the page can read what S3 stored (pitfall 8).
 */
export function pageCorsRule(origin: string): CorsRuleJson {
  return {
    AllowedOrigins: [origin],
    AllowedMethods: [PAGE_METHOD],
    AllowedHeaders: ['content-type'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  };
}

/** The document as JSON to save, one rule field a line (arrays stay on their line, as in the AWS docs). */
export function formatCorsDocument(document: CorsDocument): string {
  const rules = document.CORSRules.map(
    (rule) =>
      `    {\n${Object.entries(rule)
        .map(([field, value]) => `      ${JSON.stringify(field)}: ${JSON.stringify(value).replace(/","/g, '", "')}`)
        .join(',\n')}\n    }`,
  );
  return `{\n  "CORSRules": [\n${rules.join(',\n')}\n  ]\n}`;
}

/** The SDK's rule → the CLI's JSON (same names), without empty fields. */
function ruleJson(rule: CORSRule): CorsRuleJson {
  return {
    ...(rule.ID === undefined ? {} : { ID: rule.ID }),
    AllowedOrigins: rule.AllowedOrigins ?? [],
    AllowedMethods: rule.AllowedMethods ?? [],
    ...(rule.AllowedHeaders?.length ? { AllowedHeaders: rule.AllowedHeaders } : {}),
    ...(rule.ExposeHeaders?.length ? { ExposeHeaders: rule.ExposeHeaders } : {}),
    ...(rule.MaxAgeSeconds === undefined ? {} : { MaxAgeSeconds: rule.MaxAgeSeconds }),
  };
}

/**
 * The document to apply: the page's rule first (so it is the first match for the page's origin, whatever else is
 * there), then the rules the bucket has now, since put-bucket-cors replaces the whole configuration.
 */
export function corsDocument(origin: string, existing: readonly CORSRule[]): CorsDocument {
  return { CORSRules: [pageCorsRule(origin), ...existing.map(ruleJson)] };
}

export function putBucketCorsCommand(config: Pick<Config, 's3'>): string {
  const endpoint =
    config.s3.endpoint === undefined ? '' : ` --endpoint-url ${safeUrl(config.s3.endpoint).replace(/\/$/, '')}`;
  return `aws s3api put-bucket-cors --bucket ${config.s3.bucket} --cors-configuration file://cors.json${endpoint}`;
}

function corsFixDetails(document: CorsDocument, command: string, existing: number): string[] {
  return [
    'Save this as cors.json:',
    ...formatCorsDocument(document).split('\n'),
    'and apply it:',
    command,
    existing > 0
      ? `(put-bucket-cors replaces the bucket's CORS configuration; the ${existing} rule${existing === 1 ? '' : 's'} it has now ${existing === 1 ? 'is' : 'are'} kept in cors.json after the new one.)`
      : "(put-bucket-cors replaces the bucket's CORS configuration; it has none now.)",
  ];
}

interface CorsOutcome {
  readonly result: CheckResult;
  readonly fix?: { readonly document: CorsDocument; readonly command: string };
}

async function checkCors(config: Config, client: S3Client, timeoutMs: number): Promise<CorsOutcome> {
  if (config.publicUrl === undefined) {
    return { result: check('cors', 'warn', 'PUBLIC_URL not set: partner page off, CORS not needed') };
  }
  const origin = new URL(config.publicUrl).origin;
  const { bucket } = config.s3;
  const command = putBucketCorsCommand(config);
  let rules: readonly CORSRule[];
  try {
    const answer = await client.send(new GetBucketCorsCommand({ Bucket: bucket }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    rules = answer.CORSRules ?? [];
  } catch (error) {
    const failure = s3Failure(error);
    if (failure.code === 'NoSuchCORSConfiguration' || (failure.status === 404 && failure.code !== 'NoSuchBucket')) {
      rules = [];
    } else if (failure.status === 403) {
      const document = corsDocument(origin, []);
      return {
        result: check(
          'cors',
          'warn',
          `Could not read bucket ${bucket}'s CORS configuration: S3 refused GetBucketCors (403)`,
          [
            `The credentials lack s3:GetBucketCORS on arn:aws:s3:::${bucket}, which only this check needs.`,
            `If the bucket has no rule for ${origin} yet, the partner page's uploads are blocked by browsers. The rule it needs:`,
            ...formatCorsDocument(document).split('\n'),
            `Apply with: ${command}`,
            '(put-bucket-cors replaces the whole configuration: merge in any rules the bucket already has.)',
          ],
        ),
      };
    } else if (failure.status === undefined) {
      return { result: check('cors', 'fail', unreachable(config, error), [networkHint(config)]) };
    } else {
      return {
        result: check(
          'cors',
          'fail',
          `S3 answered GetBucketCors for ${bucket} with HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''}`,
        ),
      };
    }
  }
  const verdict = evaluateCors(rules, origin);
  if (verdict.ok) {
    return {
      result: check(
        'cors',
        'pass',
        `CORS: bucket ${bucket} lets the partner page (${origin}) upload with PUT and exposes ETag`,
      ),
    };
  }
  const problem = {
    'no-rule':
      rules.length === 0
        ? `CORS: bucket ${bucket} has no CORS configuration, so browsers block the partner page's uploads from ${origin}`
        : `CORS: no rule of bucket ${bucket} allows PUT from ${origin}, so browsers block the partner page's uploads`,
    headers: `CORS: bucket ${bucket}'s rule for ${origin} does not allow the Content-Type header the partner page sends`,
    etag: `CORS: bucket ${bucket}'s rule for ${origin} does not expose the ETag header`,
  }[verdict.reason];
  const document = corsDocument(origin, rules);
  return {
    result: check('cors', 'fail', problem, corsFixDetails(document, command, rules.length)),
    fix: { document, command },
  };
}

// ————— The whole run —————

/** Run every check against `env` (normally `process.env` after dotenv). Never throws for what an operator can fix. */
export async function runDoctor(
  env: Readonly<Record<string, string | undefined>>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const now = (options.now ?? (() => new Date()))();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const checks: CheckResult[] = [];

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      check('config', 'fail', 'The configuration has problems:', [
        ...error.problems.map((problem) => `- ${problem}`),
        'Fix them (see .env.example for every variable); the other checks need a valid configuration.',
      ]),
    );
    return finish(env, checks, {});
  }
  checks.push(check('config', 'pass', describeConfig(config)));

  const client = createS3Client({ target: config.s3, credentials: options.credentials });
  try {
    // Slack and S3 do not depend on each other: ask both at once.
    const [slack, region, signing] = await Promise.all([
      checkSlack(config, timeoutMs),
      checkRegion(config, client, timeoutMs),
      checkSigning(config, client, now, timeoutMs, options.writeTest === true),
    ]);
    checks.push(slack, region, signing.result);
    let writtenKey: string | undefined;
    if (options.writeTest) {
      if (signing.url === undefined) {
        checks.push(check('write-test', 'fail', 'Write test: not run, since no URL could be signed'));
      } else {
        const written = await writeTest(config, signing.url, signing.key, now, timeoutMs);
        checks.push(written);
        if (written.status === 'pass') writtenKey = signing.key;
      }
    }
    const cors = await checkCors(config, client, timeoutMs);
    checks.push(cors.result);
    return finish(env, checks, { corsFix: cors.fix, writtenKey }, signing.credentials);
  } finally {
    client.destroy();
  }
}

function describeConfig(config: Config): string {
  const endpoint = config.s3.endpoint === undefined ? '' : ` at ${safeUrl(config.s3.endpoint)}`;
  const mode = config.slack.appToken === undefined ? 'HTTP mode' : 'Socket Mode';
  const page = config.publicUrl === undefined ? 'no partner page' : `partner page at ${config.publicUrl}`;
  return `Configuration is valid: bucket ${config.s3.bucket} in ${config.s3.region}${endpoint}, prefix ${config.uploadPrefix}, links up to ${formatDuration(config.maxExpirySeconds)}, ${mode}, ${page}`;
}

/** Scrub every string that leaves this module. */
function finish(
  env: Readonly<Record<string, string | undefined>>,
  checks: readonly CheckResult[],
  extra: Pick<DoctorReport, 'corsFix' | 'writtenKey'>,
  credentials?: AwsCredentialIdentity,
): DoctorReport {
  const secrets = secretsOf(env, credentials);
  const clean = (text: string) => redact(text, secrets);
  const scrubbed = checks.map((c) => ({ ...c, summary: clean(c.summary), details: c.details.map(clean) }));
  return {
    checks: scrubbed,
    ok: scrubbed.every((c) => c.status !== 'fail'),
    ...(extra.corsFix === undefined ? {} : { corsFix: extra.corsFix }),
    ...(extra.writtenKey === undefined ? {} : { writtenKey: extra.writtenKey }),
  };
}

/** The report as the terminal shows it: one line per check, details indented under it, and a tally. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${SYMBOLS[c.status]} ${c.summary}`);
    for (const detail of c.details) lines.push(`    ${detail}`);
  }
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  const [failed, warned] = [count('fail'), count('warn')];
  const tally = [
    `${count('pass')} passed`,
    ...(warned > 0 ? [`${warned} warning${warned === 1 ? '' : 's'}`] : []),
    ...(failed > 0 ? [`${failed} failed`] : []),
  ];
  lines.push('', `${tally.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
