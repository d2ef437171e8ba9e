/**
 * The run's Ceph RGW (a real S3: multipart with ListParts and Abort, Content-MD5 checked, conditional writes) in the
 * shape test apps take their S3 in (`LocalS3`): a fresh bucket with the CORS the partner page needs, and the client to
 * look at it with. For the suites that need what s3rver does not do (see /work/shared/docs/real-s3.md).
 *
 * Without a gateway these suites are skipped, unless UPLOAD_LINK_TEST_REQUIRE_RGW=1 (CI), where global setup fails.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { type FreshBucket, freshRgwBucket, hasRgw, putBucketCors, type RgwTarget, rgwTargetOrThrow } from './rgw.js';
import type { LocalS3 } from './s3.js';

export { hasRgw };
export const RGW_SKIP_REASON = 'skipped: no Ceph RGW for this run (see test/support/rgw-cluster.ts)';

export interface RgwS3 extends LocalS3 {
  readonly target: RgwTarget;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly fresh: FreshBucket;
  head(key: string): Promise<HeadObjectCommandOutput | undefined>;
  /** Multipart uploads S3 still holds open in the bucket. */
  openUploads(): Promise<{ key: string; uploadId: string }[]>;
}

export async function startRgwS3(prefix = 'partner'): Promise<RgwS3> {
  const target = rgwTargetOrThrow();
  const fresh = await freshRgwBucket(target, prefix);
  await putBucketCors(fresh.client, fresh.name);
  const { client, name: bucket } = fresh;
  return {
    endpoint: target.endpoint,
    bucket,
    target,
    credentials: { ...target.credentials },
    fresh,
    async getObject(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async listKeys() {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    async head(key) {
      try {
        return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async openUploads() {
      const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (answer.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '' }));
    },
    // RGW pushes its event records over HTTP to a topic's endpoint (test/support/rgw.ts), not in-process.
    onEvent: () => () => {},
    close: () => fresh.drop(),
  };
}

/**
 * Where a test app's S3 is (a gateway and bucket the caller set up and looks at itself, e.g. a cluster of its own),
 * in the shape test apps take; the app only needs the endpoint and the bucket.
 */
export function targetOnly(endpoint: string, bucket: string): LocalS3 {
  return {
    endpoint,
    bucket,
    getObject: async () => undefined,
    listKeys: async () => [],
    onEvent: () => () => {},
    close: async () => {},
  };
}
