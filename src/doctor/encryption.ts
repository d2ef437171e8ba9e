/**
 * 7. The bucket's default encryption against S3_SSE: uploads that ask for another encryption than the bucket's are
 * stored with theirs (a bucket policy may also refuse them), and SSE-KMS needs key permissions the IAM section lists.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html
 */
import { GetBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ServerSideEncryption } from '../aws/sse.js';
import type { Config } from '../config.js';
import { networkHint, s3Failure, unreachable } from './region.js';
import { check } from './shared.js';
import type { CheckResult, CheckStatus } from './types.js';

export interface BucketDefault {
  readonly algorithm: string;
  readonly kmsKeyId: string | undefined;
}

/** Key ids, ARNs and aliases name the same key when one ends with the other (`…:key/<id>` and `<id>`). */
const sameKey = (a: string, b: string) => a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`) || a.endsWith(`:${b}`);

const KMS_PERMISSIONS =
  "The bot's credentials need kms:GenerateDataKey on that key (and kms:Decrypt, for the partner page's multipart uploads).";

const describe = (sse: ServerSideEncryption) =>
  sse.mode === 'AES256' ? 'AES256 (SSE-S3)' : `aws:kms (SSE-KMS, ${sse.kmsKeyId ?? "the account's default key"})`;

/** What S3_SSE and the bucket's default encryption mean together. Pure: the check only fetches the default. */
export function compareEncryption(
  bucket: string,
  configured: ServerSideEncryption | undefined,
  bucketDefault: BucketDefault | undefined,
): { status: CheckStatus; summary: string; details: string[] } {
  const theirs =
    bucketDefault === undefined
      ? 'no default encryption'
      : `default encryption ${bucketDefault.algorithm}${bucketDefault.kmsKeyId ? ` with key ${bucketDefault.kmsKeyId}` : ''}`;
  const bucketKms = bucketDefault?.algorithm.startsWith('aws:kms') === true;
  if (configured === undefined) {
    if (!bucketKms) return { status: 'pass', summary: `S3_SSE not set; bucket ${bucket} has ${theirs}`, details: [] };
    return {
      status: 'warn',
      summary: `bucket ${bucket} has ${theirs}, and S3_SSE is not set`,
      details: [
        'Uploads are encrypted with the bucket default. If the bucket policy requires the header on every PUT, set S3_SSE=aws:kms (and S3_SSE_KMS_KEY_ID).',
        KMS_PERMISSIONS,
      ],
    };
  }
  const ours = `uploads ask for ${describe(configured)}`;
  if (configured.mode === 'AES256') {
    if (!bucketKms) return { status: 'pass', summary: `${ours}; bucket ${bucket} has ${theirs}`, details: [] };
    return {
      status: 'warn',
      summary: `${ours}, but bucket ${bucket} has ${theirs}`,
      details: ['Uploads are stored with SSE-S3, not the bucket’s KMS key. Set S3_SSE=aws:kms to use it.'],
    };
  }
  const mismatch =
    bucketKms &&
    configured.kmsKeyId &&
    bucketDefault?.kmsKeyId &&
    !sameKey(configured.kmsKeyId, bucketDefault.kmsKeyId);
  if (mismatch) {
    return {
      status: 'warn',
      summary: `${ours}, but bucket ${bucket} has ${theirs}`,
      details: ['Uploads are encrypted with S3_SSE_KMS_KEY_ID, not the bucket default key.', KMS_PERMISSIONS],
    };
  }
  return { status: 'pass', summary: `${ours}; bucket ${bucket} has ${theirs}`, details: [KMS_PERMISSIONS] };
}

export async function checkEncryption(config: Config, client: S3Client, timeoutMs: number): Promise<CheckResult> {
  const { bucket } = config.s3;
  let bucketDefault: BucketDefault | undefined;
  try {
    const answer = await client.send(new GetBucketEncryptionCommand({ Bucket: bucket }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    const rule = answer.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    bucketDefault =
      rule?.SSEAlgorithm === undefined ? undefined : { algorithm: rule.SSEAlgorithm, kmsKeyId: rule.KMSMasterKeyID };
  } catch (error) {
    const failure = s3Failure(error);
    if (failure.status === undefined)
      return check('encryption', 'fail', unreachable(config, error), [networkHint(config)]);
    if (failure.code !== 'ServerSideEncryptionConfigurationNotFoundError') {
      return check(
        'encryption',
        'warn',
        `Could not read bucket ${bucket}'s default encryption (HTTP ${failure.status})`,
        [`The credentials lack s3:GetEncryptionConfiguration on arn:aws:s3:::${bucket}, which only this check needs.`],
      );
    }
  }
  const verdict = compareEncryption(bucket, config.s3.sse, bucketDefault);
  return check('encryption', verdict.status, verdict.summary, verdict.details);
}
