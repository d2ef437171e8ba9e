/**
 * A real S3-compatible server on loopback that verifies SigV4 signatures and expiry (@20minutes/s3rver 4.0.4).
 * Its default account is S3RVER / S3RVER; buckets are created through `configureBuckets` (its CreateBucket fails).
 * Objects are read back through the real S3 API (GetObject), as an operator would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3_REGION = 'us-east-1';

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The stored bytes of an object, or undefined when there is none. */
  getObject(key: string): Promise<Buffer | undefined>;
  listKeys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'test-uploads', corsXml?: string): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'upload-link-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: corsXml === undefined ? [] : [corsXml] }],
  });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    endpoint,
    region: S3_REGION,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    async getObject(key) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async listKeys() {
      // s3rver 4.0.4 miscomputes the signature of the SDK's ListObjects (path-style `/<bucket>/`), so list its store.
      const store = (server as unknown as { store: S3rverStore }).store;
      const result = await store.listObjects(bucket, {});
      return result.objects.map((o) => o.key).sort();
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

interface S3rverStore {
  listObjects(bucket: string, options: object): Promise<{ objects: { key: string }[] }>;
}
