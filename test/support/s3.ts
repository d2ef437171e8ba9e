/**
 * A real S3-compatible server on loopback that verifies SigV4 signatures and expiry (@20minutes/s3rver 4.0.4): the
 * playground's embedded S3 (playground/s3.ts), in a temporary folder, on any free port. Its account is
 * S3RVER / S3RVER. Objects are read back through the real S3 API (GetObject), as an operator would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedS3 } from '../../dev/s3.js';

export { S3_CREDENTIALS, S3_REGION } from '../../dev/s3.js';

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The stored bytes of an object, or undefined when there is none. */
  getObject(key: string): Promise<Buffer | undefined>;
  listKeys(): Promise<string[]>;
  /** S3's event notification (`{"Records":[…]}`) after each object stored or deleted; returns a function to stop. */
  onEvent(listener: (event: unknown) => void): () => void;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'test-uploads', corsXml?: string): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'upload-link-s3-'));
  const s3 = await startEmbeddedS3({ directory, bucket, port: 0, ...(corsXml === undefined ? {} : { corsXml }) });
  return {
    endpoint: s3.endpoint,
    bucket,
    async getObject(key) {
      const object = await s3.getObject(key);
      return object === undefined ? undefined : Buffer.from(object.body);
    },
    async listKeys() {
      return (await s3.listObjects()).map((o) => o.key).sort();
    },
    onEvent: (listener) => s3.onChange(listener),
    async close() {
      await s3.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
