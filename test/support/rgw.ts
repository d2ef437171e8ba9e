/**
 * Ceph RGW for tests: the run's gateway (started by test/global-setup.ts), a fresh bucket per test or file, and what
 * event tests need: an SNS topic that pushes to a local HTTP receiver, and the bucket notification that feeds it.
 *
 *   describe.skipIf(!hasRgw())('uploads to a real S3', () => {
 *     let bucket: FreshBucket;
 *     beforeEach(async () => { bucket = await freshRgwBucket(rgwTargetOrThrow()); });
 *     afterEach(() => bucket.drop());
 *   });
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AbortMultipartUploadCommand,
  type CORSRule,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { HashConstructor, SourceData } from '@aws-sdk/types';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { inject } from 'vitest';
import type { RgwTarget } from './rgw-cluster.js';

export type { RgwTarget } from './rgw-cluster.js';

/** The run's gateway, or undefined when the RGW suites are to be skipped. */
export function rgwTarget(): RgwTarget | undefined {
  return inject('rgw');
}

export const hasRgw = (): boolean => rgwTarget() !== undefined;

export function rgwTargetOrThrow(): RgwTarget {
  const target = rgwTarget();
  if (target === undefined)
    throw new Error('No Ceph RGW for this run: guard the suite with describe.skipIf(!hasRgw())');
  return target;
}

/**
 * An SDK v3 client for the gateway: path-style (no per-bucket host names on loopback), and checksums only where an
 * operation requires one — RGW 16 predates the SDK's default CRC32 on every upload.
 */
export function createRgwClient(target: RgwTarget): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    // A copy: the SDK writes into the credentials object it is given (`$source`), and the fixed keys are frozen.
    credentials: { ...target.credentials },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A DNS-style name nobody else in the run has: `<prefix>-<16 hex>`. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

export interface FreshBucket {
  readonly name: string;
  readonly client: S3Client;
  /** Deletes the bucket with its objects and unfinished multipart uploads, and closes the client. */
  drop(): Promise<void>;
}

export async function freshRgwBucket(target: RgwTarget, prefix = 'test'): Promise<FreshBucket> {
  const client = createRgwClient(target);
  const name = uniqueName(prefix);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  let dropped = false;
  return {
    name,
    client,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        // One object at a time: tests leave few, and DeleteObjects would need a Content-MD5 this client does not add.
        for (let token: string | undefined; ; ) {
          const page = await client.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }));
          for (const object of page.Contents ?? []) {
            await client.send(new DeleteObjectCommand({ Bucket: name, Key: object.Key }));
          }
          token = page.NextContinuationToken;
          if (token === undefined) break;
        }
        const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: name }));
        for (const upload of uploads.Uploads ?? []) {
          await client.send(
            new AbortMultipartUploadCommand({ Bucket: name, Key: upload.Key, UploadId: upload.UploadId }),
          );
        }
        await client.send(new DeleteBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
  };
}

/** The CORS a browser upload needs: PUT from `origin`, any header, and the ETag readable (multipart completion). */
export async function putBucketCors(
  client: S3Client,
  bucket: string,
  rules: CORSRule[] = [
    {
      AllowedOrigins: ['*'],
      AllowedMethods: ['PUT'],
      AllowedHeaders: ['*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 600,
    },
  ],
): Promise<void> {
  await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape SignatureV4 takes. */
const NodeSha256: HashConstructor = class {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
};

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * One call to the gateway's SNS-compatible API (the AWS SNS query API, SigV4 for service `sns`), at the same endpoint
 * as S3: https://docs.ceph.com/en/pacific/radosgw/notifications/#topic-management-via-cli. Returns the XML reply.
 */
export async function callRgwSns(target: RgwTarget, params: Readonly<Record<string, string>>): Promise<string> {
  const url = new URL(target.endpoint);
  const body = new URLSearchParams(params).toString();
  const signer = new SignatureV4({
    credentials: target.credentials,
    region: target.region,
    service: 'sns',
    sha256: NodeSha256,
  });
  const request = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }),
  );
  const response = await fetch(new URL('/', url), { method: 'POST', headers: request.headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`SNS ${params.Action} failed: ${response.status} ${text}`);
  return text;
}

export interface RgwTopic {
  readonly name: string;
  readonly arn: string;
  delete(): Promise<void>;
}

export interface TopicOptions {
  /** Where the gateway POSTs each event, e.g. a `NotificationReceiver`'s url. */
  readonly pushEndpoint: string;
  /**
   * Queue events and push them from a background worker (retried) instead of during the S3 request (not retried).
   * RGW 16.2 picks up a new persistent topic's queue only every 30 s, so the first push can take that long.
   */
  readonly persistent?: boolean;
  /** Any other topic attributes (`OpaqueData`, `verify-ssl`, …). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** CreateTopic with attribute `push-endpoint`; topics belong to the user, so the name is made unique. */
export async function createRgwTopic(target: RgwTarget, options: TopicOptions): Promise<RgwTopic> {
  const name = uniqueName('topic');
  const attributes: Record<string, string> = {
    'push-endpoint': options.pushEndpoint,
    persistent: String(options.persistent ?? false),
    ...options.attributes,
  };
  const params: Record<string, string> = { Action: 'CreateTopic', Name: name };
  for (const [index, [key, value]] of Object.entries(attributes).entries()) {
    params[`Attributes.entry.${index + 1}.key`] = key;
    params[`Attributes.entry.${index + 1}.value`] = value;
  }
  const reply = await callRgwSns(target, params);
  const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(reply)?.[1];
  if (arn === undefined) throw new Error(`CreateTopic answered without a TopicArn: ${reply}`);
  return {
    name,
    arn,
    async delete() {
      await callRgwSns(target, { Action: 'DeleteTopic', TopicArn: arn });
    },
  };
}

/** PutBucketNotificationConfiguration: every `s3:ObjectCreated:*` event in `bucket` goes to the topic. */
export async function notifyOnObjectCreated(
  client: S3Client,
  bucket: string,
  topicArn: string,
  id = 'object-created',
): Promise<void> {
  await client.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        TopicConfigurations: [{ Id: id, TopicArn: topicArn, Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  );
}

export interface ReceivedPush {
  /** `performance.now()` when the body had arrived. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface NotificationReceiver {
  /** The URL to give as `push-endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Every request so far, in arrival order. */
  readonly received: readonly ReceivedPush[];
  /** The next request not yet returned by `next`; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<ReceivedPush>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** The status to answer the n-th request (1-based) with; 200 by default. */
  readonly status?: (n: number) => number;
  /** How long to wait before answering, in ms. */
  readonly delayMs?: number;
  /** Listen on this port (e.g. one that was down a moment ago) instead of any free one. */
  readonly port?: number;
}

/** A loopback HTTP server that records what the gateway pushes to it. */
export async function startNotificationReceiver(options: ReceiverOptions = {}): Promise<NotificationReceiver> {
  const received: ReceivedPush[] = [];
  const waiters: (() => void)[] = [];
  let taken = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        at: performance.now(),
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      for (const wake of waiters.splice(0)) wake();
      response.statusCode = options.status?.(received.length) ?? 200;
      setTimeout(() => response.end(), options.delayMs ?? 0);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    port,
    received,
    async next(timeoutMs = 5_000) {
      const deadline = performance.now() + timeoutMs;
      while (received.length <= taken) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no push to ${port} within ${timeoutMs} ms (${received.length} so far)`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, left);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
      return received[taken++] as ReceivedPush;
    },
    close() {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
