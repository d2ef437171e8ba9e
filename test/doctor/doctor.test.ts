/**
 * `npx upload-link doctor`: a few runs of the real CLI process (`dist/cli.js`, built once for the run by
 * test/global-setup.ts) against the local verifying S3 server and the fake Slack Web API, and the rest through
 * `runDoctor` in-process (same code, injected credentials), since every process costs a Node start.
 *
 * s3rver 4.0.4 and bucket-level calls: it computes the canonical URI of a path-style bucket request as `/<bucket>`,
 * while SDK v3 signs `/<bucket>/` (which S3 itself accepts), so it refuses every signed HeadBucket, GetBucketLocation
 * and GetBucketCors with SignatureDoesNotMatch. The tests therefore put a small HTTP front before it that forwards
 * bucket-level requests unsigned (s3rver serves anonymous requests) and everything else untouched, so an upload
 * through a signed URL is still verified by s3rver. The front also plays AWS's own answers that s3rver cannot give
 * (x-amz-bucket-region on HeadBucket, a 403 refusal, a 301 to another region).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CORSRule } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  abortingRule,
  type CheckName,
  type CheckResult,
  compareEncryption,
  compareRegions,
  type DoctorReport,
  evaluateCors,
  formatDoctorReport,
  regionFromLocation,
  runDoctor,
} from '../../src/doctor/index.js';
import { type CliRun, runCli } from '../support/process.js';
import { type LocalS3, S3_CREDENTIALS, startLocalS3 } from '../support/s3.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/slack-api.js';

/** A process run is a Node start (a second or more on a busy machine) plus the checks. */
const TIMEOUT = { timeout: 120_000 };

const BUCKET = 'test-uploads';
const PUBLIC_URL = 'https://upload.example.com';
const ORIGIN = 'https://upload.example.com';
const BOT_TOKEN = 'xoxb-1111-2222-doctorsecrettoken';
const SIGNING_SECRET = 'doctor-signing-secret-0123456789';
const PROBE_KEY = /^uploads\/\.upload-link-doctor\/\d{8}T\d{6}Z$/;

/** The rule an operator applies for the page (what doctor itself recommends), as s3rver takes it. */
const PAGE_CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>${ORIGIN}</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>content-type</AllowedHeader>
    <AllowedHeader>content-md5</AllowedHeader>
    <AllowedHeader>content-disposition</AllowedHeader>
    <AllowedHeader>if-none-match</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/** The rule the README recommends (AbortIncompleteMultipartUpload under the upload prefix), as AWS returns it. */
const LIFECYCLE_XML = `<LifecycleConfiguration><Rule><ID>upload-link-abort-incomplete-multipart-uploads</ID>
<Filter><Prefix>uploads/</Prefix></Filter><Status>Enabled</Status>
<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
</LifecycleConfiguration>`;

const OTHER_ORIGIN_CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <ID>intranet</ID>
    <AllowedOrigin>https://intranet.example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
  </CORSRule>
</CORSConfiguration>`;

interface Canned {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * The front before s3rver (see the top of this file). `answer` may reply instead of s3rver. s3rver has no lifecycle or
 * default-encryption API, so the front plays AWS's answers for them: `lifecycleXml` / `encryptionXml`, or AWS's 404s
 * (NoSuchLifecycleConfiguration, ServerSideEncryptionConfigurationNotFoundError) when unset.
 */
interface S3Front {
  readonly endpoint: string;
  answer: ((req: IncomingMessage) => Canned | undefined) | undefined;
  lifecycleXml: string | undefined;
  encryptionXml: string | undefined;
  close(): Promise<void>;
}

const awsError = (code: string): Canned => ({
  status: 404,
  body: `<Error><Code>${code}</Code><Message></Message></Error>`,
});

/** GetBucketLifecycleConfiguration and GetBucketEncryption, answered as AWS does (s3rver cannot). */
function bucketConfigAnswer(front: Pick<S3Front, 'lifecycleXml' | 'encryptionXml'>, url: string): Canned | undefined {
  if (/^\/[^/?]+\/?\?lifecycle/.test(url)) {
    return front.lifecycleXml ? { status: 200, body: front.lifecycleXml } : awsError('NoSuchLifecycleConfiguration');
  }
  if (/^\/[^/?]+\/?\?encryption/.test(url)) {
    return front.encryptionXml
      ? { status: 200, body: front.encryptionXml }
      : awsError('ServerSideEncryptionConfigurationNotFoundError');
  }
  return undefined;
}

async function startS3Front(s3: LocalS3): Promise<S3Front> {
  const target = new URL(s3.endpoint);
  const front: Pick<S3Front, 'answer' | 'lifecycleXml' | 'encryptionXml'> = {
    answer: undefined,
    lifecycleXml: undefined,
    encryptionXml: undefined,
  };
  const server: Server = createServer((req, res) => {
    const canned = front.answer?.(req) ?? bucketConfigAnswer(front, req.url ?? '');
    if (canned !== undefined) {
      req.resume();
      res.writeHead(canned.status, { 'content-type': 'application/xml', ...canned.headers });
      res.end(req.method === 'HEAD' ? undefined : (canned.body ?? ''));
      return;
    }
    const headers = { ...req.headers };
    if (/^\/[^/?]+\/?(?:\?|$)/.test(req.url ?? '')) delete headers.authorization;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get answer() {
      return front.answer;
    },
    set answer(value) {
      front.answer = value;
    },
    get lifecycleXml() {
      return front.lifecycleXml;
    },
    set lifecycleXml(value) {
      front.lifecycleXml = value;
    },
    get encryptionXml() {
      return front.encryptionXml;
    },
    set encryptionXml(value) {
      front.encryptionXml = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A bucket (with `corsXml`, if any), the front before it, and the fake Slack API; closed after each test. */
function setup() {
  const parts = {
    s3: undefined as LocalS3 | undefined,
    front: undefined as S3Front | undefined,
    slack: undefined as FakeSlackApi | undefined,
  };
  const started = {
    async start(corsXml?: string) {
      parts.s3 = await startLocalS3(BUCKET, corsXml);
      parts.front = await startS3Front(parts.s3);
      parts.slack = await startFakeSlackApi();
      return { s3: parts.s3, front: parts.front, slack: parts.slack, env: botEnv(parts.front, parts.slack) };
    },
  };
  afterEach(async () => {
    await parts.slack?.close();
    await parts.front?.close();
    await parts.s3?.close();
    Object.assign(parts, { s3: undefined, front: undefined, slack: undefined });
  });
  return started;
}

/** The bot's environment, as an operator sets it, pointed at the local services. */
function botEnv(front: S3Front, slack: FakeSlackApi, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    S3_BUCKET: BUCKET,
    AWS_REGION: 'us-east-1',
    S3_ENDPOINT: front.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    PUBLIC_URL,
    ...extra,
  };
}

/** `npx upload-link doctor …args` in an empty directory, with only PATH, HOME, AWS keys and `env`. */
async function runDoctorCli(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const cwd = await mkdtemp(join(tmpdir(), 'upload-link-doctor-'));
  try {
    return await runCli(
      cwd,
      {
        AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      'doctor',
      ...args,
    );
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

/** Nothing secret, in any form, anywhere in what doctor printed. */
function expectNoSecrets(output: string) {
  for (const secret of [BOT_TOKEN, SIGNING_SECRET, S3_CREDENTIALS.accessKeyId, S3_CREDENTIALS.secretAccessKey]) {
    expect(output).not.toContain(secret);
  }
  // The hints may name the kind of token (`xoxb-…`), never one.
  expect(output).not.toMatch(/xox[a-z]-[A-Za-z0-9]/);
  expect(output).not.toMatch(/X-Amz-(Signature|Credential|Security-Token)/i);
}

/** The indented JSON under the CORS line, parsed. */
function printedCorsJson(stdout: string): { CORSRules: Record<string, unknown>[] } {
  const lines = stdout.split('\n');
  const start = lines.indexOf('    {');
  const end = lines.indexOf('    }', start);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

const byName = (report: DoctorReport, name: CheckName): CheckResult => {
  const found = report.checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no ${name} check in ${JSON.stringify(report.checks)}`);
  return found;
};

describe('upload-link doctor as a process', TIMEOUT, () => {
  const services = setup();

  it('all good (--write-test): every check ✓, the object is in the bucket, exit 0, nothing secret printed', async () => {
    const { s3, front, env } = await services.start(PAGE_CORS_XML);
    front.lifecycleXml = LIFECYCLE_XML;
    // Not told to: doctor itself keeps the SDK's Node-version notice out of its report (stderr stays empty).
    const run = await runDoctorCli({ ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' }, '--write-test');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^✓ Config: Configuration is valid: bucket test-uploads in us-east-1/);
    expect(lines).toContain('✓ Slack: Slack token works: workspace Example (T0TEAM), bot user @upload-link (U0BOT)');
    expect(lines).toContain('✓ Region: Bucket test-uploads is in us-east-1, as AWS_REGION says');
    expect(run.stdout).toMatch(
      /^✓ Credentials: AWS credentials \(static access keys from environment variables\) signed a PUT for uploads\/\.upload-link-doctor\/\d{8}T\d{6}Z$/m,
    );
    expect(run.stdout).toMatch(
      /^✓ Write test: uploaded \d+ bytes to uploads\/\.upload-link-doctor\/\S+ in test-uploads/m,
    );
    expect(run.stdout).toMatch(/The object stays there/);
    expect(lines).toContain(
      `✓ CORS: bucket test-uploads lets the partner page (${ORIGIN}) upload with PUT and exposes ETag`,
    );
    expect(lines).toContain('✓ Lifecycle: bucket test-uploads aborts multipart uploads under uploads/ left for 7 days');
    expect(lines).toContain('✓ Encryption: S3_SSE not set; bucket test-uploads has no default encryption');
    expect(lines).toContain(
      '✓ Arrivals: raw-URL uploads are found by polling HeadObject, within minutes, at most 60 calls a minute per instance',
    );
    expect(lines.filter((line) => /^[✗!]/.test(line))).toEqual([]);
    expect(run.stdout).toMatch(/\n9 passed\.\n$/);

    const keys = await s3.listKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(PROBE_KEY);
    expect(run.stdout).toContain(keys[0]);
    expect((await s3.getObject(keys[0] as string))?.toString()).toMatch(/^upload-link doctor write test/);
    expectNoSecrets(run.stdout + run.stderr);
  });

  it('a rejected token and a bucket without CORS: ✗ for both, the JSON to apply parses, exit 1', async () => {
    const { s3, slack, env } = await services.start();
    slack.handle('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    const run = await runDoctorCli(env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ Slack: Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)$/m);
    expect(run.stdout).toMatch(/^✗ CORS: bucket test-uploads has no CORS configuration/m);
    expect(run.stdout).toMatch(/^✓ Credentials: AWS credentials .* signed a PUT/m);

    const document = printedCorsJson(run.stdout);
    expect(document.CORSRules).toEqual([
      {
        AllowedOrigins: [ORIGIN],
        AllowedMethods: ['PUT'],
        AllowedHeaders: ['content-type', 'content-md5', 'content-disposition', 'if-none-match'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3000,
      },
    ]);
    expect(run.stdout).toContain(
      '    aws s3api put-bucket-cors --bucket test-uploads --cors-configuration file://cors.json --endpoint-url http://127.0.0.1:',
    );
    // No lifecycle rule either: a warning with the JSON to apply (below, in-process).
    expect(run.stdout).toMatch(/^! Lifecycle: no rule of bucket test-uploads aborts incomplete multipart uploads/m);
    expect(run.stdout).toMatch(/\n5 passed, 1 warning, 2 failed\.\n$/);
    // Without --write-test nothing is uploaded.
    expect(await s3.listKeys()).toEqual([]);
    expect(slack.calls.map((call) => call.method)).toEqual(['auth.test']);
    expectNoSecrets(run.stdout + run.stderr);
  });

  it('an invalid configuration is a ✗ listing every problem, not a crash; exit 1', async () => {
    const run = await runDoctorCli({
      SLACK_BOT_TOKEN: 'xoxp-not-a-bot-token-secret',
      S3_BUCKET: 'Not_A_Bucket',
      MAX_EXPIRY: 'forever',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('✗ Config: The configuration has problems:\n');
    for (const problem of [
      'SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)',
      'SLACK_SIGNING_SECRET is missing',
      'S3_BUCKET must be a bucket name',
      'AWS_REGION is missing',
      'MAX_EXPIRY must be a number and a unit',
    ]) {
      expect(run.stdout).toContain(`    - ${problem}`);
    }
    expect(run.stdout).toMatch(/\n0 passed, 1 failed\.\n$/);
    expect(run.stdout).not.toContain('xoxp-not-a-bot-token-secret');
    expect(run.stdout).not.toContain('wJalrXUtnFEMI');
  });

  it("`help doctor` prints doctor's help, as `doctor --help` does", async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'upload-link-doctor-'));
    try {
      const help = await runCli(cwd, {}, 'help', 'doctor');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: upload-link doctor \[--write-test\]\n/);
      expect(help.stdout).toContain('Checks, with the bot');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('doctor --help explains the checks; an unknown flag is a usage error', async () => {
    const help = await runDoctorCli({}, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: upload-link doctor \[--write-test\]\n/);
    expect(help.stdout).toContain('--write-test');
    const wrong = await runDoctorCli({}, '--write');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toBe(
      'upload-link: doctor does not take "--write".\nUsage: upload-link doctor [--write-test]\n',
    );
  });
});

describe('runDoctor in-process (injected credentials)', () => {
  const services = setup();
  const credentials = { ...S3_CREDENTIALS };

  it('AWS_REGION other than the bucket’s (s3rver answers GetBucketLocation with us-east-1): ✗ naming both', async () => {
    const { env } = await services.start(PAGE_CORS_XML);
    const report = await runDoctor({ ...env, AWS_REGION: 'eu-west-1' }, { credentials });
    const region = byName(report, 'region');
    expect(region.status).toBe('fail');
    expect(region.summary).toBe('Bucket test-uploads is in us-east-1, but AWS_REGION is eu-west-1');
    expect(region.details).toContain('S3 refuses URLs signed for the wrong region. Set AWS_REGION=us-east-1.');
    expect(report.ok).toBe(false);
  });

  it('reads the region from HeadBucket’s x-amz-bucket-region, also from a 301 or a 403, as AWS sends it', async () => {
    const { front, env } = await services.start(PAGE_CORS_XML);
    const headBucket = (req: IncomingMessage) => req.method === 'HEAD' && req.url === `/${BUCKET}/`;

    front.answer = (req) =>
      headBucket(req) ? { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } } : undefined;
    expect(byName(await runDoctor(env, { credentials }), 'region')).toMatchObject({
      status: 'pass',
      summary: 'Bucket test-uploads is in us-east-1, as AWS_REGION says',
    });

    front.answer = (req) =>
      headBucket(req) ? { status: 301, headers: { 'x-amz-bucket-region': 'eu-central-1' } } : undefined;
    expect(byName(await runDoctor(env, { credentials }), 'region')).toMatchObject({
      status: 'fail',
      summary: 'Bucket test-uploads is in eu-central-1, but AWS_REGION is us-east-1',
    });

    front.answer = (req) =>
      headBucket(req) ? { status: 403, headers: { 'x-amz-bucket-region': 'us-east-1' } } : undefined;
    const refusedButNamed = byName(await runDoctor(env, { credentials }), 'region');
    expect(refusedButNamed.status).toBe('pass');
    expect(refusedButNamed.details.join(' ')).toContain('s3:ListBucket');
  });

  it('HeadBucket refused with 403: a warning naming s3:ListBucket; no PUBLIC_URL: CORS not needed; exit code 0', async () => {
    const { front, env } = await services.start();
    front.answer = (req) => (req.method === 'HEAD' && req.url === `/${BUCKET}/` ? { status: 403 } : undefined);
    const { PUBLIC_URL: _, ...withoutPage } = env;
    const report = await runDoctor(withoutPage, { credentials });
    const region = byName(report, 'region');
    expect(region.status).toBe('warn');
    expect(region.details.join(' ')).toContain(`s3:ListBucket on arn:aws:s3:::${BUCKET}`);
    expect(report.ok).toBe(true);
    const text = formatDoctorReport(report);
    expect(text).toContain('\n! Region: Could not check bucket test-uploads');
    expect(text).toContain('\n! CORS: PUBLIC_URL not set: partner page off, CORS not needed\n');
    expect(text).toContain('\n! Lifecycle: PUBLIC_URL not set: no partner page, so no multipart uploads to clean up');
    expect(text).toMatch(/\n5 passed, 3 warnings\.\n$/);
  });

  it('an unreachable Slack API is told apart from a rejected token', async () => {
    const { env, slack } = await services.start(PAGE_CORS_XML);
    const url = slack.url;
    await slack.close();
    const report = await runDoctor(env, { credentials, timeoutMs: 3000 });
    const check = byName(report, 'slack');
    expect(check.status).toBe('fail');
    expect(check.summary).toMatch(new RegExp(`^Could not reach Slack's Web API at ${url.replace(/\/$/, '')}`));
    expect(check.details).toEqual(['Check the network, and SLACK_API_URL.']);
  });

  it('temporary credentials: the expiry is printed, a warning when sooner than MAX_EXPIRY, a failure when spent', async () => {
    const { env } = await services.start(PAGE_CORS_XML);
    const now = new Date('2026-03-02T10:00:00Z');
    const temporary = (minutes: number) => ({
      ...S3_CREDENTIALS,
      sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
      expiration: new Date(now.getTime() + minutes * 60_000),
    });

    const soon = await runDoctor(env, { credentials: temporary(90), now: () => now });
    const signing = byName(soon, 'signing');
    expect(signing.status).toBe('warn');
    expect(signing.summary).toContain('temporary credentials from the code, expiring 2026-03-02T11:30:00.000Z');
    expect(signing.summary).toContain('they expire in 1 hour 30 minutes, before MAX_EXPIRY (1 week)');
    expect(soon.ok).toBe(true);
    expect(formatDoctorReport(soon)).not.toContain('FwoGZXIvYXdzEXAMPLESESSIONTOKEN');

    const longEnough = await runDoctor(
      { ...env, MAX_EXPIRY: '1h', DEFAULT_EXPIRY: '1h' },
      { credentials: temporary(90), now: () => now },
    );
    expect(byName(longEnough, 'signing').status).toBe('pass');

    const spent = await runDoctor(env, { credentials: temporary(0.5), now: () => now });
    expect(byName(spent, 'signing')).toMatchObject({ status: 'fail' });
    expect(byName(spent, 'signing').summary).toContain('could not sign a PUT: the AWS credentials expire at');
    expect(spent.ok).toBe(false);
  });

  it('no credentials at all: one ✗ saying so, with its advice; the checks that need them are not run', async () => {
    const { env } = await services.start(PAGE_CORS_XML);
    const report = await runDoctor(env, {
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
      writeTest: true,
    });
    expect(byName(report, 'signing')).toMatchObject({
      status: 'fail',
      summary: 'No AWS credentials could be loaded (Could not load credentials from any providers)',
    });
    // One cause, reported once: the S3 checks would all fail for it ("could not reach S3"), so they say why they
    // were not run instead.
    for (const name of ['region', 'write-test', 'cors', 'arrivals'] as const) {
      expect(byName(report, name)).toMatchObject({
        status: 'skip',
        summary: 'not checked: it needs AWS credentials (see Credentials)',
      });
    }
    expect(report.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
    const text = formatDoctorReport(report);
    expect(text).toContain('✗ Credentials: No AWS credentials could be loaded');
    expect(text).toContain('– Region: not checked: it needs AWS credentials (see Credentials)');
    expect(text).not.toMatch(/Could not reach S3|check the network/i);
  });

  it('--write-test with a wrong secret: s3rver refuses the signature, ✗ with the S3 code and a hint, nothing stored', async () => {
    const { s3, env } = await services.start(PAGE_CORS_XML);
    const report = await runDoctor(env, {
      credentials: { accessKeyId: S3_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
      writeTest: true,
    });
    const written = byName(report, 'write-test');
    expect(written.status).toBe('fail');
    expect(written.summary).toMatch(
      /^S3 refused the upload to uploads\/\.upload-link-doctor\/\S+ in test-uploads \(HTTP 403 SignatureDoesNotMatch\)$/,
    );
    expect(written.details[0]).toContain('secret key does not belong to the access key id');
    expect(await s3.listKeys()).toEqual([]);
    expect(report.writtenKey).toBeUndefined();
    expect(formatDoctorReport(report)).not.toContain('not-the-secret');
  });

  it('CORS for another origin only: ✗, and the JSON puts the page’s rule first and keeps the existing one', async () => {
    const { env } = await services.start(OTHER_ORIGIN_CORS_XML);
    const report = await runDoctor(env, { credentials });
    const cors = byName(report, 'cors');
    expect(cors.status).toBe('fail');
    expect(cors.summary).toBe(
      `no rule of bucket test-uploads allows PUT from ${ORIGIN}, so browsers block the partner page's uploads`,
    );
    expect(report.corsFix?.document.CORSRules).toEqual([
      {
        AllowedOrigins: [ORIGIN],
        AllowedMethods: ['PUT'],
        AllowedHeaders: ['content-type', 'content-md5', 'content-disposition', 'if-none-match'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3000,
      },
      {
        ID: 'intranet',
        AllowedOrigins: ['https://intranet.example.com'],
        AllowedMethods: ['GET'],
        AllowedHeaders: ['*'],
      },
    ]);
    // What is printed is that same document.
    expect(printedCorsJson(formatDoctorReport(report))).toEqual(report.corsFix?.document);
    expect(cors.details.at(-1)).toContain('the 1 rule it has now is kept in cors.json after the new one');
  });
});

describe('doctor: multipart lifecycle, page headers and encryption (in-process)', () => {
  const services = setup();
  const credentials = { ...S3_CREDENTIALS };

  /** The JSON printed under "Save this as lifecycle.json:", parsed. */
  function printedLifecycle(details: readonly string[]): { Rules: Record<string, unknown>[] } {
    const start = details.indexOf('Save this as lifecycle.json:') + 1;
    const end = details.indexOf('and apply it:');
    return JSON.parse(details.slice(start, end).join('\n'));
  }

  it('no lifecycle rule for the prefix: a warning with the exact JSON (existing rules kept) and the command', async () => {
    const { front, env } = await services.start(PAGE_CORS_XML);
    front.lifecycleXml = `<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter>
<Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`;
    const report = await runDoctor({ ...env, UPLOAD_PREFIX: 'partners/' }, { credentials });
    const lifecycle = byName(report, 'lifecycle');
    expect(lifecycle.status).toBe('warn');
    expect(lifecycle.summary).toBe(
      'no rule of bucket test-uploads aborts incomplete multipart uploads under partners/: parts a partner leaves behind are kept (and billed) until someone aborts them',
    );
    expect(printedLifecycle(lifecycle.details).Rules).toEqual([
      {
        ID: 'upload-link-abort-incomplete-multipart-uploads',
        Status: 'Enabled',
        Filter: { Prefix: 'partners/' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
      { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 30 } },
    ]);
    expect(lifecycle.details).toContain(
      `aws s3api put-bucket-lifecycle-configuration --bucket test-uploads --lifecycle-configuration file://lifecycle.json --endpoint-url ${new URL(env.S3_ENDPOINT ?? '').origin}`,
    );
    expect(report.ok).toBe(true); // a warning: the bot aborts the uploads of closed links itself
  });

  it('S3_SSE: CORS must allow the encryption headers too; a bucket default with another KMS key is a warning', async () => {
    const { front, env } = await services.start(PAGE_CORS_XML);
    front.encryptionXml = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>
<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:key/bucket-key</KMSMasterKeyID>
</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
    const sse = { S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'other-key' };
    const report = await runDoctor({ ...env, ...sse }, { credentials });
    const cors = byName(report, 'cors');
    expect(cors.status).toBe('fail');
    expect(cors.summary).toContain('does not allow every header the partner page sends');
    expect(report.corsFix?.document.CORSRules[0]?.AllowedHeaders).toEqual([
      'content-type',
      'content-md5',
      'content-disposition',
      'if-none-match',
      'x-amz-server-side-encryption',
      'x-amz-server-side-encryption-aws-kms-key-id',
    ]);
    expect(byName(report, 'encryption')).toMatchObject({
      status: 'warn',
      summary:
        'uploads ask for aws:kms (SSE-KMS, other-key), but bucket test-uploads has default encryption aws:kms with key arn:aws:kms:us-east-1:111122223333:key/bucket-key',
    });
    const same = await runDoctor({ ...env, ...sse, S3_SSE_KMS_KEY_ID: 'bucket-key' }, { credentials });
    expect(byName(same, 'encryption').status).toBe('pass');
  });
});

describe('doctor: the comparisons on their own', () => {
  const rule = (fields: Partial<CORSRule>): CORSRule => ({
    AllowedOrigins: [ORIGIN],
    AllowedMethods: ['PUT'],
    AllowedHeaders: ['content-type'],
    ExposeHeaders: ['ETag'],
    ...fields,
  });

  it.each<[string, CORSRule[], ReturnType<typeof evaluateCors>]>([
    ['the recommended rule', [rule({})], { ok: true, rule: 0 }],
    ['any origin, any header', [rule({ AllowedOrigins: ['*'], AllowedHeaders: ['*'] })], { ok: true, rule: 0 }],
    ['a wildcard origin', [rule({ AllowedOrigins: ['https://*.example.com'] })], { ok: true, rule: 0 }],
    [
      'header and ETag in other case',
      [rule({ AllowedHeaders: ['Content-Type'], ExposeHeaders: ['etag'] })],
      { ok: true, rule: 0 },
    ],
    ['no rules', [], { ok: false, reason: 'no-rule' }],
    ['another origin', [rule({ AllowedOrigins: ['https://other.example.com'] })], { ok: false, reason: 'no-rule' }],
    ['the origin with a trailing slash', [rule({ AllowedOrigins: [`${ORIGIN}/`] })], { ok: false, reason: 'no-rule' }],
    ['GET only', [rule({ AllowedMethods: ['GET', 'HEAD'] })], { ok: false, reason: 'no-rule' }],
    ['no AllowedHeaders', [rule({ AllowedHeaders: undefined })], { ok: false, reason: 'headers', rule: 0 }],
    ['ETag not exposed', [rule({ ExposeHeaders: undefined })], { ok: false, reason: 'etag', rule: 0 }],
    [
      'the first matching rule decides (its ExposeHeaders are the ones sent)',
      [rule({ ExposeHeaders: [] }), rule({})],
      { ok: false, reason: 'etag', rule: 0 },
    ],
    ['a non-matching rule before a good one', [rule({ AllowedMethods: ['GET'] }), rule({})], { ok: true, rule: 1 }],
  ])('%s', (_, rules, verdict) => {
    expect(evaluateCors(rules, ORIGIN)).toEqual(verdict);
  });

  it('reads GetBucketLocation the way S3 means it', () => {
    expect(regionFromLocation(undefined)).toBe('us-east-1');
    expect(regionFromLocation('')).toBe('us-east-1');
    expect(regionFromLocation('EU')).toBe('eu-west-1');
    expect(regionFromLocation('ap-southeast-2')).toBe('ap-southeast-2');
  });

  it('compares regions with plain values', () => {
    expect(compareRegions('b', 'eu-west-1', 'eu-west-1').status).toBe('pass');
    const mismatch = compareRegions('b', 'eu-west-1', 'us-east-1');
    expect(mismatch).toMatchObject({
      status: 'fail',
      summary: 'Bucket b is in eu-west-1, but AWS_REGION is us-east-1',
    });
    expect(mismatch.details[0]).toContain('Set AWS_REGION=eu-west-1');
  });
});

describe('doctor: lifecycle rules and encryption, as plain values', () => {
  const abort = (fields: Record<string, unknown>) =>
    ({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 }, ...fields }) as never;

  it.each([
    ['a rule for the prefix', [abort({ Filter: { Prefix: 'uploads/' } })], true],
    ['a rule for every key', [abort({ Filter: {} })], true],
    ['a rule for a shorter prefix', [abort({ Filter: { Prefix: 'up' } })], true],
    ['the legacy top-level Prefix', [abort({ Prefix: 'uploads/' })], true],
    ['an And filter with a prefix only', [abort({ Filter: { And: { Prefix: 'uploads/' } } })], true],
    ['a rule for another prefix', [abort({ Filter: { Prefix: 'logs/' } })], false],
    ['a disabled rule', [abort({ Status: 'Disabled', Filter: { Prefix: '' } })], false],
    ['a rule filtered by tag', [abort({ Filter: { Tag: { Key: 'k', Value: 'v' } } })], false],
    ['expiration only', [{ Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } } as never], false],
  ])('%s', (_name, rules, covered) => {
    expect(abortingRule(rules, 'uploads/') !== undefined).toBe(covered);
  });

  it.each([
    ['nothing asked, no default', undefined, undefined, 'pass'],
    ['nothing asked, SSE-S3 default', undefined, { algorithm: 'AES256', kmsKeyId: undefined }, 'pass'],
    ['nothing asked, SSE-KMS default', undefined, { algorithm: 'aws:kms', kmsKeyId: 'k' }, 'warn'],
    [
      'AES256 asked, SSE-KMS default',
      { mode: 'AES256', kmsKeyId: undefined },
      { algorithm: 'aws:kms', kmsKeyId: 'k' },
      'warn',
    ],
    ['AES256 asked, no default', { mode: 'AES256', kmsKeyId: undefined }, undefined, 'pass'],
    [
      'KMS asked, same key by ARN',
      { mode: 'aws:kms', kmsKeyId: 'k1' },
      { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:r:1:key/k1' },
      'pass',
    ],
    ['KMS asked, another key', { mode: 'aws:kms', kmsKeyId: 'k1' }, { algorithm: 'aws:kms', kmsKeyId: 'k2' }, 'warn'],
    [
      'KMS asked, account default key',
      { mode: 'aws:kms', kmsKeyId: undefined },
      { algorithm: 'aws:kms', kmsKeyId: 'k2' },
      'pass',
    ],
  ] as const)('%s → %s', (_name, configured, bucketDefault, status) => {
    expect(compareEncryption('b', configured, bucketDefault).status).toBe(status);
  });
});
