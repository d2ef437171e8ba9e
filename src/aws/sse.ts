/**
 * Server-side encryption headers (S3_SSE, S3_SSE_KMS_KEY_ID) on every upload the bot signs: raw URLs, the page's
 * single PUT and its multipart create. Buckets that demand encryption refuse a PUT without them; in a pre-signed URL
 * they are signed headers (the SDK never moves them into the query), so the uploader must send them byte for byte.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html
 */

export type SseMode = 'AES256' | 'aws:kms';

export interface ServerSideEncryption {
  readonly mode: SseMode;
  /** aws:kms only; absent → the bucket's (or the account's) default KMS key. */
  readonly kmsKeyId: string | undefined;
}

export const SSE_HEADER = 'x-amz-server-side-encryption';
export const SSE_KMS_KEY_HEADER = 'x-amz-server-side-encryption-aws-kms-key-id';

/** For SDK commands (PutObject, CreateMultipartUpload). */
export function sseParams(sse: ServerSideEncryption | undefined): {
  ServerSideEncryption?: SseMode;
  SSEKMSKeyId?: string;
} {
  if (sse === undefined) return {};
  return {
    ServerSideEncryption: sse.mode,
    ...(sse.mode === 'aws:kms' && sse.kmsKeyId !== undefined ? { SSEKMSKeyId: sse.kmsKeyId } : {}),
  };
}

/** The same as headers the uploader sends (curl -H, the page's XHR). */
export function sseHeaders(sse: ServerSideEncryption | undefined): Record<string, string> {
  if (sse === undefined) return {};
  return {
    [SSE_HEADER]: sse.mode,
    ...(sse.mode === 'aws:kms' && sse.kmsKeyId !== undefined ? { [SSE_KMS_KEY_HEADER]: sse.kmsKeyId } : {}),
  };
}
