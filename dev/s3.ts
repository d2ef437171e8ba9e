/**
 * The embedded S3: @20minutes/s3rver, the server the tests use, which verifies SigV4 signatures and expiry. Its
 * account is S3RVER / S3RVER. The bucket is created at start (its CreateBucket API fails) with CORS for the
 * browser origins that upload to it: the console (raw URL PUTs) and the bot (the partner page).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 */
import type { AddressInfo } from 'node:net';
import S3rver from '@20minutes/s3rver';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StoredObjectInfo } from '../playground/console-api.js';

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3_REGION = 'us-east-1';

export interface EmbeddedS3 {
  readonly endpoint: string;
  readonly bucket: string;
  listObjects(): Promise<StoredObjectInfo[]>;
  /** The object's bytes and type, or undefined when there is none. */
  getObject(key: string): Promise<{ body: Uint8Array; contentType: string } | undefined>;
  /**
   * Called after every change S3 itself reports (an object stored or deleted), with S3's event notification for it
   * (`{"Records":[…]}`, as AWS shapes it, the key as stored); returns a function to stop.
   */
  onChange(listener: (event: unknown) => void): () => void;
  close(): Promise<void>;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function bucketConfigs(options: { origins?: readonly string[]; corsXml?: string }): string[] {
  if (options.corsXml !== undefined) return [options.corsXml];
  return options.origins !== undefined && options.origins.length > 0 ? [corsXml(options.origins)] : [];
}

export function corsXml(origins: readonly string[]): string {
  return `<CORSConfiguration>
  <CORSRule>
${origins.map((origin) => `    <AllowedOrigin>${escapeXml(origin)}</AllowedOrigin>`).join('\n')}
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>300</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;
}

interface S3rverObject {
  readonly key: string;
  readonly size: number;
  readonly metadata: Record<string, string>;
}

interface S3rverStore {
  listObjects(bucket: string, options: object): Promise<{ objects: S3rverObject[] }>;
}

export async function startEmbeddedS3(options: {
  readonly directory: string;
  readonly bucket: string;
  /** Browser origins allowed to PUT (a CORS rule is made for them)… */
  readonly origins?: readonly string[];
  /** …or a CORS configuration given whole (tests of CORS itself). */
  readonly corsXml?: string;
  /** Tried first; any free port when it is taken (or 0). */
  readonly port: number;
}): Promise<EmbeddedS3> {
  const run = async (port: number) => {
    const server = new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory: options.directory,
      configureBuckets: [{ name: options.bucket, configs: bucketConfigs(options) }],
    });
    return { server, address: (await server.run()) as AddressInfo };
  };
  let started: Awaited<ReturnType<typeof run>>;
  try {
    started = await run(options.port);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE' || options.port === 0) throw error;
    started = await run(0);
  }
  const { server, address } = started;
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
    bucket: options.bucket,
    async listObjects() {
      // s3rver 4.0.4 miscomputes the signature of the SDK's path-style ListObjects, so list its store (as the tests do).
      const store = (server as unknown as { store: S3rverStore }).store;
      const { objects } = await store.listObjects(options.bucket, {});
      return objects
        .map((o) => ({
          key: o.key,
          size: o.size,
          contentType: o.metadata['content-type'] ?? 'binary/octet-stream',
          lastModified: new Date(o.metadata['last-modified'] ?? 0).toISOString(),
        }))
        .sort((a, b) => b.lastModified.localeCompare(a.lastModified) || a.key.localeCompare(b.key));
    },
    async getObject(key) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
        return {
          body: (await result.Body?.transformToByteArray()) ?? new Uint8Array(),
          contentType: result.ContentType ?? 'application/octet-stream',
        };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    onChange(listener) {
      // s3rver (a Koa app) emits its S3 event notifications as 'event'.
      const emitter = server as unknown as NodeJS.EventEmitter;
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
