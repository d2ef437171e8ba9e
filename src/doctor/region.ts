/** 3. The bucket's region against AWS_REGION (S3 refuses URLs signed for another region). */
import { GetBucketLocationCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { check, message, safeUrl } from './shared.js';
import type { CheckResult } from './types.js';

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

export function s3Failure(error: unknown): S3Failure {
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
export function unreachable(config: Config, error: unknown): string {
  const where = config.s3.endpoint === undefined ? `S3 in ${config.s3.region}` : `S3 at ${safeUrl(config.s3.endpoint)}`;
  return `Could not reach ${where} (${message(error)})`;
}

export async function checkRegion(config: Config, client: S3Client, timeoutMs: number): Promise<CheckResult> {
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

export const networkHint = (config: Config) =>
  config.s3.endpoint === undefined
    ? 'Check the network, and that AWS_REGION is a real region.'
    : 'Check S3_ENDPOINT and that the server is running.';
