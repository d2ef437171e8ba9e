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
 *   5. the bucket's CORS for the partner page's origin and the headers it sends, and the exact JSON when it is missing;
 *   6. a lifecycle rule aborting incomplete multipart uploads under UPLOAD_PREFIX (the JSON when missing);
 *   7. the bucket's default encryption against S3_SSE.
 *   8. how arrivals will be announced: the bucket's event notifications (SNS, a webhook) or polling, with the
 *      commands to paste when events are not set up.
 *
 * Nothing printed may carry a token, secret, signature or AWS key: every line goes through `redact` with the secret
 * values known here, and no signed URL is ever printed.
 */
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { createS3Client } from '../aws/signer.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { formatDuration } from '../core/durations.js';
import { redact } from '../lib/log.js';
import { checkArrivals } from './arrivals.js';
import { checkCors } from './cors.js';
import { checkEncryption } from './encryption.js';
import { checkLifecycle } from './lifecycle.js';
import { checkRegion } from './region.js';
import { check, DEFAULT_TIMEOUT_MS, safeUrl, secretsOf } from './shared.js';
import { checkSigning, writeTest } from './signing.js';
import { checkSlack } from './slack.js';
import type { CheckResult, DoctorOptions, DoctorReport } from './types.js';

export * from './cors.js';
export { compareEncryption } from './encryption.js';
export { abortingRule, abortRule } from './lifecycle.js';
export { compareRegions, regionFromLocation } from './region.js';
export { formatDoctorReport } from './report.js';
export { PROBE_FOLDER } from './shared.js';
export { type CredentialKind, credentialKind, describeCredentials } from './signing.js';
export * from './types.js';

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
    // Slack and the credentials do not depend on each other: ask both at once. Every S3 check needs the
    // credentials: without them each would fail for that one reason, so they are not run, and the credentials
    // check alone says why and what to do.
    const [slack, signing] = await Promise.all([
      checkSlack(config, timeoutMs),
      checkSigning(config, client, now, timeoutMs, options.writeTest === true),
    ]);
    if (signing.credentials === undefined) {
      const skipped = (name: CheckResult['name']) =>
        check(name, 'skip', 'not checked: it needs AWS credentials (see Credentials)');
      checks.push(slack, skipped('region'), signing.result);
      if (options.writeTest) checks.push(skipped('write-test'));
      checks.push(skipped('cors'), skipped('arrivals'));
      return finish(env, checks, {});
    }
    const region = await checkRegion(config, client, timeoutMs);
    checks.push(slack, region, signing.result);
    let writtenKey: string | undefined;
    if (options.writeTest) {
      if (signing.url === undefined) {
        checks.push(check('write-test', 'fail', 'not run, since no URL could be signed'));
      } else {
        const written = await writeTest(config, signing.url, signing.key, now, timeoutMs);
        checks.push(written);
        if (written.status === 'pass') writtenKey = signing.key;
      }
    }
    const [cors, lifecycle, encryption] = await Promise.all([
      checkCors(config, client, timeoutMs),
      checkLifecycle(config, client, timeoutMs),
      checkEncryption(config, client, timeoutMs),
    ]);
    checks.push(cors.result, lifecycle, encryption);
    checks.push(await checkArrivals(config, client, timeoutMs));
    return finish(env, checks, { corsFix: cors.fix, writtenKey }, signing.credentials);
  } finally {
    client.destroy();
  }
}

export function describeConfig(config: Config): string {
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
