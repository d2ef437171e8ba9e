/**
 * The S3 calls behind the partner page: a PUT signed for one exact body (its content-length and content-type are
 * signed headers, so S3 refuses any other body), and HeadObject to confirm an arrival.
 */
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ExactBody {
  readonly length: number;
  readonly contentType: string;
}

export interface StoredObject {
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
  /** S3's Last-Modified (whole seconds): when the object landed, for arrivals after a revoke. */
  readonly landedAt?: Date;
}

export interface ObjectOps {
  /** A PUT URL that accepts only a body of this length and type; the uploader must send both headers as signed. */
  signExactPut(key: string, body: ExactBody, expiresInSeconds: number, now: Date): Promise<string>;
  /** The object's size, type and ETag, or undefined when there is none. */
  head(key: string): Promise<StoredObject | undefined>;
}

export function createObjectOps(client: S3Client, bucket: string): ObjectOps {
  return {
    signExactPut(key, body, expiresInSeconds, now) {
      return getSignedUrl(
        client,
        new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: body.length, ContentType: body.contentType }),
        {
          expiresIn: expiresInSeconds,
          signingDate: now,
          // Signed, so S3 checks them: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
          signableHeaders: new Set(['content-length', 'content-type']),
        },
      );
    },
    async head(key) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          size: result.ContentLength ?? 0,
          contentType: result.ContentType ?? 'application/octet-stream',
          etag: result.ETag ?? '',
          ...(result.LastModified === undefined ? {} : { landedAt: result.LastModified }),
        };
      } catch (error) {
        if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
        throw error;
      }
    },
  };
}
