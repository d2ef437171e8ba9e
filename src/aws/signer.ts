/**
 * Signing S3 PUT URLs with the AWS SDK v3. Knows nothing of Slack.
 *
 * The client is created once. `requestChecksumCalculation: 'WHEN_REQUIRED'` keeps the SDK from signing the CRC32
 * of an empty body into the URL, which would make S3 refuse every real upload (aws-sdk-js-v3 #6810).
 * URLs come from the fast path in presign.ts, which gives byte for byte what `getSignedUrl` gives for the same
 * client, bucket, key, expiry and clock, and uses `getSignedUrl` itself for configurations it does not cover.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { SignedUpload, UploadSigner } from '../core/ports.js';
import { errorMessage, SigningUnavailableError } from '../lib/errors.js';
import { createPutUrlPresigner, type PutUrlPresigner } from './presign.js';
import { type ServerSideEncryption, sseHeaders, sseParams } from './sse.js';

export type { SignedUpload, UploadSigner };
export { SigningUnavailableError };

export interface S3Target {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  /** Encryption headers signed into every URL (S3_SSE); the uploader must send them. */
  readonly sse?: ServerSideEncryption | undefined;
}

/** Credentials this close to expiring are treated as expired: a link that dies in seconds helps nobody. */
const MIN_USEFUL_SECONDS = 60;

export interface SignerOptions {
  readonly target: S3Target;
  /** For tests and tools; production uses the SDK's default chain (env keys, profile, SSO, role, IMDS). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function createS3Client({ target, credentials }: SignerOptions): S3Client {
  return new S3Client({
    region: target.region,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    forcePathStyle: target.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...(credentials === undefined ? {} : { credentials }),
  });
}

/** A signer on `client` (made from the same options when not given: the bot shares one client with objects.ts). */
export function createS3Signer(options: SignerOptions, client = createS3Client(options)): UploadSigner {
  const { bucket } = options.target;
  // Worked out once, on first use; it never rejects (anything unexpected means plain getSignedUrl) and needs no
  // real credentials, so it cannot turn a credentials problem into a different error.
  let presigner: PutUrlPresigner | undefined;
  let preparing: Promise<PutUrlPresigner> | undefined;
  const putUrlPresigner = (): Promise<PutUrlPresigner> =>
    (preparing ??= createPutUrlPresigner({
      client,
      bucket,
      createProbeClient: (credentials) => createS3Client({ target: options.target, credentials }),
      sse: options.target.sse,
    }).then((ready) => (presigner = ready)));

  // Single-use links are few: the SDK signs them (the fast path knows one header set), with the condition signed in.
  const signOnlyIfAbsent = (key: string, expiresIn: number, signingDate: Date): Promise<string> =>
    getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: '*', ...sseParams(options.target.sse) }),
      { expiresIn, signingDate, signableHeaders: new Set(['if-none-match']) },
    );

  async function currentCredentials(): Promise<AwsCredentialIdentity> {
    try {
      return await client.config.credentials();
    } catch (error) {
      throw new SigningUnavailableError(`no AWS credentials could be loaded (${errorMessage(error)})`);
    }
  }

  return {
    bucket,
    async warmUp() {
      // The fast path is prepared even when the credentials are not there yet (it never rejects).
      const prepared = putUrlPresigner();
      await currentCredentials();
      await prepared;
    },
    async signUpload(key, expiresInSeconds, now, { onlyIfAbsent = false } = {}) {
      const credentials = await currentCredentials();
      const requestedExpiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
      const credentialExpiry = credentials.expiration;
      if (credentialExpiry !== undefined && credentialExpiry.getTime() - now.getTime() < MIN_USEFUL_SECONDS * 1000) {
        throw new SigningUnavailableError(`the AWS credentials expire at ${credentialExpiry.toISOString()}`);
      }
      const url = onlyIfAbsent
        ? await signOnlyIfAbsent(key, expiresInSeconds, now)
        : await (presigner ?? (await putUrlPresigner())).presign(key, expiresInSeconds, now);
      const limitedByCredentials = credentialExpiry !== undefined && credentialExpiry < requestedExpiresAt;
      return {
        url,
        headers: { ...sseHeaders(options.target.sse), ...(onlyIfAbsent ? { 'If-None-Match': '*' } : {}) },
        expiresAt: limitedByCredentials ? credentialExpiry : requestedExpiresAt,
        requestedExpiresAt,
        limitedByCredentials,
      };
    },
  };
}
