/**
 * The page's calls to the bot (src/partner/routes.ts and multipart.ts). Only the PUTs of the file (or of its parts)
 * go to S3; creating, listing, completing and aborting are the bot's own S3 calls.
 */

export interface SignedRequest {
  readonly url: string;
  /** Signed: sent exactly as given. */
  readonly headers: Record<string, string>;
}

export interface CreatedUpload {
  readonly uploadId: string;
  readonly partSize: number;
  readonly partCount: number;
}

export interface ListedPart {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
}

export interface Completed {
  readonly size: number;
  readonly etag?: string;
}

/** A refusal from the bot. `code` is its `error` field (expired, revoked, used, no-such-upload, parts-missing, …). */
export class BotError extends Error {
  override name = 'BotError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly missing: readonly number[] = [],
  ) {
    super(message);
  }

  /** Asking again cannot help: the link closed (410), the upload is gone (404), or the bot refused the request. */
  get final(): boolean {
    return this.status >= 400 && this.status < 500 && ![408, 409, 429].includes(this.status);
  }
}

export interface BotApi {
  signPut(file: { name: string; size: number; md5: string }, signal?: AbortSignal): Promise<SignedRequest>;
  completePut(signal?: AbortSignal): Promise<Completed>;
  create(file: { name: string; size: number }, signal?: AbortSignal): Promise<CreatedUpload>;
  signPart(uploadId: string, partNumber: number, md5: string, signal?: AbortSignal): Promise<SignedRequest>;
  listParts(uploadId: string, signal?: AbortSignal): Promise<ListedPart[]>;
  complete(uploadId: string, signal?: AbortSignal): Promise<Completed>;
  abort(uploadId: string): Promise<void>;
}

export function botApi(linkId: string): BotApi {
  const root = `/u/${encodeURIComponent(linkId)}`;
  async function call<T>(method: string, path: string, body?: object, signal?: AbortSignal): Promise<T> {
    const response = await fetch(root + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal,
    });
    const data = (await response.json().catch(() => ({}))) as { error?: string; message?: string; missing?: number[] };
    if (!response.ok) {
      const message = data.message || `The server answered ${response.status}.`;
      throw new BotError(message, response.status, data.error, data.missing);
    }
    return data as T;
  }
  const upload = (uploadId: string) => `/multipart/${encodeURIComponent(uploadId)}`;
  return {
    signPut: (file, signal) => call('POST', '/sign', file, signal),
    completePut: (signal) => call('POST', '/complete', {}, signal),
    create: (file, signal) => call('POST', '/multipart', file, signal),
    signPart: (uploadId, n, md5, signal) => call('POST', `${upload(uploadId)}/parts/${n}`, { md5 }, signal),
    listParts: async (uploadId, signal) =>
      (await call<{ parts: ListedPart[] }>('GET', `${upload(uploadId)}/parts`, undefined, signal)).parts,
    complete: (uploadId, signal) => call('POST', `${upload(uploadId)}/complete`, {}, signal),
    abort: async (uploadId) => {
      await call('DELETE', upload(uploadId));
    },
  };
}
