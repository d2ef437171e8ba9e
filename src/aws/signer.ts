/**
 * Signing S3 PUT URLs with the AWS SDK v3. Knows nothing of Slack.
 *
 * The client is created once. `requestChecksumCalculation: 'WHEN_REQUIRED'` keeps the SDK from signing the CRC32
 * of an empty body into the URL, which would make S3 refuse every real upload (aws-sdk-js-v3 #6810).
 * URLs come from the fast path in presign.ts, which gives byte for byte what `getSignedUrl` gives for the same
 * client, bucket, key, expiry and clock, and uses `getSignedUrl` itself for configurations it does not cover.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { createPutUrlPresigner, type PutUrlPresigner } from './presign.js';

export interface S3Target {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
}

export interface SignedUpload {
  readonly url: string;
  /** When the URL stops working: the earlier of the asked expiry and the credentials' own expiry. */
  readonly expiresAt: Date;
  readonly requestedExpiresAt: Date;
  /** Set when the credentials expire before the asked expiry (STS, role, SSO, instance profile). */
  readonly limitedByCredentials: boolean;
}

export interface UploadSigner {
  readonly bucket: string;
  /** Resolve credentials ahead of the first request, so a slow credential chain never lands on a user. */
  warmUp(): Promise<void>;
  signUpload(key: string, expiresInSeconds: number, now: Date): Promise<SignedUpload>;
}

/** The bot cannot sign: no credentials, or they have expired. Users get a clear reply; nothing is created. */
export class SigningUnavailableError extends Error {
  override name = 'SigningUnavailableError';
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

export function createS3Signer(options: SignerOptions): UploadSigner {
  const client = createS3Client(options);
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
    }).then((ready) => (presigner = ready)));

  async function currentCredentials(): Promise<AwsCredentialIdentity> {
    try {
      return await client.config.credentials();
    } catch (error) {
      throw new SigningUnavailableError(`no AWS credentials could be loaded (${describe(error)})`);
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
    async signUpload(key, expiresInSeconds, now) {
      const credentials = await currentCredentials();
      const requestedExpiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
      const credentialExpiry = credentials.expiration;
      if (credentialExpiry !== undefined && credentialExpiry.getTime() - now.getTime() < MIN_USEFUL_SECONDS * 1000) {
        throw new SigningUnavailableError(`the AWS credentials expire at ${credentialExpiry.toISOString()}`);
      }
      const url = await (presigner ?? (await putUrlPresigner())).presign(key, expiresInSeconds, now);
      const limitedByCredentials = credentialExpiry !== undefined && credentialExpiry < requestedExpiresAt;
      return {
        url,
        expiresAt: limitedByCredentials ? credentialExpiry : requestedExpiresAt,
        requestedExpiresAt,
        limitedByCredentials,
      };
    },
  };
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
