/**
 * The S3 calls behind the partner page. The browser only ever PUTs: one object, or the parts of a multipart upload,
 * each through a URL signed for one exact body (its content-length, Content-MD5 and every header that fixes what is
 * stored are signed, so S3 refuses anything else). Creating, listing, completing and aborting multipart uploads are
 * the bot's own calls, so the bot sees every state change and decides what gets completed.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ListedPart } from '../core/multipart.js';
import { type ServerSideEncryption, sseHeaders, sseParams } from './sse.js';

/** What a stored object is: its type and disposition are fixed by the bot, from the link's own file name. */
export interface StoredAs {
  readonly contentType: string;
  readonly contentDisposition: string;
}

export interface ExactBody extends StoredAs {
  readonly length: number;
  /** Base64 of the body's MD5: S3 refuses (400 BadDigest) a body that differs. */
  readonly contentMd5?: string;
  /** Write the key only if it does not exist yet (`If-None-Match: *`): single-use links. */
  readonly onlyIfAbsent?: boolean;
}

export interface SignedRequest {
  readonly url: string;
  /** Headers the uploader must send exactly as given (they are signed); the browser adds Content-Length itself. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface StoredObject {
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
  /** S3's Last-Modified (whole seconds): when the object landed, for arrivals after a revoke. */
  readonly landedAt?: Date;
}

export type CompleteResult = 'completed' | 'no-such-upload' | 'exists';

export interface ObjectOps {
  signExactPut(key: string, body: ExactBody, expiresInSeconds: number, now: Date): Promise<SignedRequest>;
  /** The object's size, type and ETag, or undefined when there is none. */
  head(key: string): Promise<StoredObject | undefined>;
  createMultipart(key: string, storedAs: StoredAs): Promise<string>;
  signPart(
    key: string,
    uploadId: string,
    part: { readonly partNumber: number; readonly length: number; readonly contentMd5: string },
    expiresInSeconds: number,
    now: Date,
  ): Promise<SignedRequest>;
  /** Every part S3 holds (all pages of ListParts), or undefined when the upload is gone. */
  listParts(key: string, uploadId: string): Promise<ListedPart[] | undefined>;
  completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly ListedPart[],
    options: { readonly onlyIfAbsent: boolean },
  ): Promise<CompleteResult>;
  /** Ends the upload and frees its parts; an upload that is gone already is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

const errorName = (error: unknown): string | undefined => (error as { name?: string }).name;
const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Signed so S3 checks them: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html */
const SIGNED = new Set(['content-length', 'content-type', 'content-md5', 'content-disposition', 'if-none-match']);
/**
 * A part's type is not stored (the upload's was fixed at create time), and the SDK serializes UploadPart with a
 * default `application/octet-stream` the browser never sends for a slice of a file: so it is left unsigned.
 */
const SIGNED_FOR_PARTS = new Set(['content-length', 'content-md5']);

export function createObjectOps(client: S3Client, bucket: string, sse?: ServerSideEncryption): ObjectOps {
  return {
    async signExactPut(key, body, expiresInSeconds, now) {
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentLength: body.length,
        ContentType: body.contentType,
        ContentDisposition: body.contentDisposition,
        ...(body.contentMd5 === undefined ? {} : { ContentMD5: body.contentMd5 }),
        ...(body.onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
        ...sseParams(sse),
      });
      const url = await getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        signingDate: now,
        signableHeaders: SIGNED,
      });
      const headers: Record<string, string> = {
        'Content-Type': body.contentType,
        'Content-Disposition': body.contentDisposition,
        ...(body.contentMd5 === undefined ? {} : { 'Content-MD5': body.contentMd5 }),
        ...(body.onlyIfAbsent ? { 'If-None-Match': '*' } : {}),
        ...sseHeaders(sse),
      };
      return { url, headers };
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
        if (error instanceof NotFound || errorName(error) === 'NotFound') return undefined;
        throw error;
      }
    },

    async createMultipart(key, storedAs) {
      const created = await client.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: storedAs.contentType,
          ContentDisposition: storedAs.contentDisposition,
          ...sseParams(sse),
        }),
      );
      if (created.UploadId === undefined) throw new Error('CreateMultipartUpload answered without an UploadId');
      return created.UploadId;
    },

    async signPart(key, uploadId, part, expiresInSeconds, now) {
      // No SSE headers on parts: S3 takes them on CreateMultipartUpload only (SSE-C aside).
      const command = new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: part.partNumber,
        ContentLength: part.length,
        ContentMD5: part.contentMd5,
      });
      const url = await getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        signingDate: now,
        signableHeaders: SIGNED_FOR_PARTS,
      });
      return { url, headers: { 'Content-MD5': part.contentMd5 } };
    },

    async listParts(key, uploadId) {
      const parts: ListedPart[] = [];
      try {
        // At most 1,000 parts an answer: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
        for (let marker: string | undefined; ; ) {
          const page = await client.send(
            new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
          );
          for (const p of page.Parts ?? []) {
            parts.push({ partNumber: p.PartNumber ?? 0, size: p.Size ?? 0, etag: p.ETag ?? '' });
          }
          if (!page.IsTruncated || page.NextPartNumberMarker === undefined) break;
          marker = page.NextPartNumberMarker;
        }
      } catch (error) {
        if (errorName(error) === 'NoSuchUpload' || httpStatus(error) === 404) return undefined;
        throw error;
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },

    async completeMultipart(key, uploadId, parts, options) {
      try {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
            // A single-use link's object is written once, even if two completions raced past the bot's own check.
            ...(options.onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
          }),
        );
        return 'completed';
      } catch (error) {
        if (errorName(error) === 'NoSuchUpload' || httpStatus(error) === 404) return 'no-such-upload';
        if (httpStatus(error) === 412) return 'exists';
        throw error;
      }
    },

    async abortMultipart(key, uploadId) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch (error) {
        if (errorName(error) === 'NoSuchUpload' || httpStatus(error) === 404) return;
        throw error;
      }
    },
  };
}
