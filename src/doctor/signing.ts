/** 4. AWS credentials: where they come from, when they expire, that they sign a PUT; and the optional write test. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { createS3Signer, SigningUnavailableError } from '../aws/signer.js';
import type { Config } from '../config.js';
import { formatDuration, formatRoughly } from '../core/durations.js';
import { withTimeout } from '../lib/time.js';
import { networkHint } from './region.js';
import { check, message, PROBE_EXPIRY_SECONDS, PROBE_FOLDER, timestamp } from './shared.js';
import type { CheckResult } from './types.js';

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

export async function checkSigning(
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
          `${signed}, but they expire in ${formatRoughly(left)}, before MAX_EXPIRY (${formatDuration(config.maxExpirySeconds)})`,
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

export async function writeTest(
  config: Config,
  url: string,
  key: string,
  now: Date,
  timeoutMs: number,
): Promise<CheckResult> {
  const body = `upload-link doctor write test, ${now.toISOString()}. Safe to delete.\n`;
  const where = `${key} in ${config.s3.bucket}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'PUT', body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return check('write-test', 'fail', `the PUT to ${where} did not get through (${message(error)})`, [
      networkHint(config),
    ]);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) {
    return check(
      'write-test',
      'pass',
      `uploaded ${Buffer.byteLength(body)} bytes to ${where} through the signed URL (HTTP ${response.status})`,
      ['The object stays there; delete it when you like (the bot never reads it).'],
    );
  }
  const code = errorCode(text);
  const hint = (code === undefined ? undefined : WRITE_HINTS[code]) ?? 'See the S3 error code above.';
  return check(
    'write-test',
    'fail',
    `S3 refused the upload to ${where} (HTTP ${response.status}${code === undefined ? '' : ` ${code}`})`,
    [hint.replace('<bucket>', config.s3.bucket).replace('<UPLOAD_PREFIX>', config.uploadPrefix)],
  );
}
