/**
 * The partner page's uploader: one PUT for small files, an S3 multipart upload above the bot's threshold.
 *
 * Per part: slice → MD5 (worker) → the bot signs {part number, MD5} for a minute → PUT with the signed headers. A few
 * parts are in flight at once. Failures: S3's 403 "Request has expired" → sign again at once; 400 BadDigest → hash
 * again (the same digest: bytes changed on the way, send again; another digest: the file changed, stop); network,
 * 5xx, 429 → back off (1 s doubling to 30 s, with jitter), waiting for 'online' when the browser knows it is offline;
 * the bot saying the link closed or the upload is gone ends it. Nothing is aborted unless the partner cancels.
 *
 * Resume: the upload's id and part size are kept in localStorage (resume-store.ts); the same file picked again
 * (after a reload, or a new visit) continues from the parts S3 holds (ListParts, through the bot).
 */
import { PART_CONCURRENCY } from '../../core/multipart.js';
import { type BotApi, BotError, botApi } from './api.js';
import { Md5Pool } from './md5.js';
import { ProgressMeter, type ProgressReport } from './progress.js';
import { fingerprintOf, ResumeStore, sameFile } from './resume-store.js';

export type Status =
  | { readonly kind: 'preparing'; readonly text: string }
  | { readonly kind: 'uploading'; readonly resumed: boolean }
  | { readonly kind: 'waiting'; readonly offline: boolean; readonly retryInSeconds: number }
  | { readonly kind: 'done'; readonly size: number }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'error'; readonly message: string; readonly closed?: string };

export interface UploaderOptions {
  readonly linkId: string;
  /** Files above it go in parts; undefined: always one PUT (storage without multipart). */
  readonly multipartThreshold: number | undefined;
  /** Parts in flight at once. */
  readonly concurrency?: number;
  readonly onStatus: (status: Status) => void;
  readonly onProgress: (progress: ProgressReport) => void;
  /** Stop retrying after this long without any progress. */
  readonly giveUpAfterMs?: number;
}

/** An S3 answer to a PUT (status 0: no answer at all). */
class PutError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(status === 0 ? 'The connection to storage was lost.' : `Storage answered ${status} ${code}.`);
  }
}

/** The part's bytes hash differently from before: the file changed on disk while it was being sent. */
class FileChanged extends Error {
  constructor() {
    super('The file changed while it was being sent. Pick it again to send the new version.');
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const online = (signal: AbortSignal) =>
  navigator.onLine
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        window.addEventListener('online', () => resolve(), { once: true, signal });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });

/** One PUT to S3 with the signed headers; resolves with the ETag. No timeout: S3 checks expiry at the start only. */
function put(
  signed: { url: string; headers: Record<string, string> },
  body: Blob,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', signed.url);
    for (const [name, value] of Object.entries(signed.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr.getResponseHeader('ETag') ?? '');
      const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1] ?? '';
      const expired = xhr.status === 403 && /Request has expired/.test(xhr.responseText);
      reject(new PutError(xhr.status, expired ? 'RequestExpired' : code));
    };
    xhr.onerror = () => reject(new PutError(0, 'Network'));
    xhr.onabort = () => reject(signal.reason);
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/** Storage refusals that another try cannot mend: the signature itself is refused (403 other than expiry). */
const finalPut = (err: unknown) => err instanceof PutError && err.status === 403 && err.code !== 'RequestExpired';

export class Uploader {
  readonly #api: BotApi;
  readonly #store: ResumeStore;
  readonly #md5 = new Md5Pool('/assets/partner-md5-worker.js');
  readonly #meter = new ProgressMeter();
  readonly #opts: UploaderOptions;
  #abort = new AbortController();
  #uploadId: string | undefined;
  #lastProgressAt = Date.now();

  constructor(opts: UploaderOptions) {
    this.#opts = opts;
    this.#api = botApi(opts.linkId);
    this.#store = new ResumeStore(opts.linkId);
  }

  /** An interrupted upload of this link, kept from an earlier visit: the page asks for the same file again. */
  pendingResume() {
    return this.#store.load();
  }

  async start(file: File): Promise<void> {
    this.#abort = new AbortController();
    this.#meter.reset();
    this.#lastProgressAt = Date.now();
    const signal = this.#abort.signal;
    try {
      const threshold = this.#opts.multipartThreshold;
      if (threshold !== undefined && file.size > threshold) await this.#multipart(file, signal);
      else await this.#single(file, signal);
      this.#store.clear();
      this.#opts.onStatus({ kind: 'done', size: file.size });
    } catch (err) {
      if (signal.aborted) return;
      const closed = err instanceof BotError && err.status === 410 ? (err.code ?? 'closed') : undefined;
      if (closed) this.#store.clear();
      const message = err instanceof Error ? err.message : String(err);
      this.#opts.onStatus({ kind: 'error', message, ...(closed ? { closed } : {}) });
    }
  }

  /** Cancel: stop every request and abort the multipart upload, so S3 keeps nothing of it. */
  async cancel(): Promise<void> {
    this.#abort.abort(new DOMException('Cancelled', 'AbortError'));
    const uploadId = this.#uploadId ?? this.#store.load()?.uploadId;
    this.#store.clear();
    this.#uploadId = undefined;
    if (uploadId) await this.#api.abort(uploadId).catch(() => {});
    this.#opts.onStatus({ kind: 'cancelled' });
  }

  /** Runs `attempt` until it succeeds; transient failures wait (backoff, or 'online'), final ones throw. */
  async #retrying<T>(signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
    for (let failures = 0; ; failures++) {
      try {
        return await attempt();
      } catch (err) {
        if (signal.aborted) throw err;
        const final = (err instanceof BotError && err.final) || err instanceof FileChanged || finalPut(err);
        const stalled = Date.now() - this.#lastProgressAt > (this.#opts.giveUpAfterMs ?? 30 * 60_000);
        if (final || stalled) throw err;
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)) * (0.5 + Math.random() / 2);
        // One failure may be a blip; offline, or a second failure, is worth telling the partner.
        const offline = !navigator.onLine;
        if (offline || failures >= 1) {
          this.#opts.onStatus({ kind: 'waiting', offline, retryInSeconds: Math.round(delay / 1000) });
        }
        await Promise.race([sleep(delay, signal), navigator.onLine ? new Promise(() => {}) : online(signal)]);
        await online(signal);
        this.#meter.reset();
      }
    }
  }

  async #single(file: File, signal: AbortSignal): Promise<void> {
    this.#opts.onStatus({ kind: 'preparing', text: 'Checking the file…' });
    const md5 = await this.#md5.contentMd5(file, signal);
    this.#opts.onStatus({ kind: 'uploading', resumed: false });
    await this.#retrying(signal, async () => {
      // Signed just before the PUT: a page signature lives a minute.
      const signed = await this.#api.signPut({ name: file.name, size: file.size, md5 }, signal);
      try {
        await put(signed, file, (n) => this.#progress(n, file.size), signal);
      } catch (err) {
        // A single-use link's key is written once (If-None-Match: *): our own earlier try got there, its answer lost.
        if (!(err instanceof PutError && err.status === 412)) throw err;
      }
    });
    await this.#retrying(signal, () => this.#api.completePut(signal));
  }

  /** The upload to continue (same file as the kept record, still open at the bot) or a new one; the parts done. */
  async #begin(file: File, signal: AbortSignal) {
    const record = this.#store.load();
    const done = new Map<number, number>(); // part number → size
    if (record !== undefined && sameFile(record, fingerprintOf(file))) {
      try {
        const listed = await this.#retrying(signal, () => this.#api.listParts(record.uploadId, signal));
        for (const part of listed) done.set(part.partNumber, part.size);
        return { uploadId: record.uploadId, partSize: record.partSize, done };
      } catch (err) {
        if (!(err instanceof BotError && err.code === 'no-such-upload')) throw err;
      }
    } else if (record !== undefined) {
      // Another file than the interrupted one: that upload will not be finished.
      this.#api.abort(record.uploadId).catch(() => {});
    }
    this.#store.clear();
    const created = await this.#retrying(signal, () => this.#api.create({ name: file.name, size: file.size }, signal));
    this.#store.save({
      v: 1,
      ...fingerprintOf(file),
      uploadId: created.uploadId,
      partSize: created.partSize,
      startedAt: Date.now(),
    });
    return { uploadId: created.uploadId, partSize: created.partSize, done };
  }

  async #multipart(file: File, signal: AbortSignal): Promise<void> {
    this.#opts.onStatus({ kind: 'preparing', text: 'Preparing the upload…' });
    const { uploadId, partSize, done } = await this.#begin(file, signal);
    this.#uploadId = uploadId;
    this.#opts.onStatus({ kind: 'uploading', resumed: done.size > 0 });
    const count = Math.max(1, Math.ceil(file.size / partSize));
    for (;;) {
      const queue = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
      await this.#sendParts(file, { uploadId, partSize }, queue, done, signal);
      try {
        await this.#retrying(signal, () => this.#api.complete(uploadId, signal));
        break;
      } catch (err) {
        // The bot found parts missing in S3 (lost answers, a part aborted mid-way): send those, then ask again.
        if (!(err instanceof BotError && err.code === 'parts-missing')) throw err;
        for (const n of err.missing) done.delete(n);
      }
    }
    this.#uploadId = undefined;
  }

  async #sendParts(
    file: File,
    upload: { uploadId: string; partSize: number },
    queue: number[],
    done: Map<number, number>,
    signal: AbortSignal,
  ): Promise<void> {
    const inFlight = new Map<number, number>();
    const report = () => {
      let sent = 0;
      for (const size of done.values()) sent += size;
      for (const loaded of inFlight.values()) sent += loaded;
      this.#progress(sent, file.size);
    };
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const start = (n - 1) * upload.partSize;
        const body = file.slice(start, Math.min(file.size, start + upload.partSize));
        const part = n;
        await this.#sendPart(
          upload.uploadId,
          part,
          body,
          (loaded) => {
            inFlight.set(part, loaded);
            report();
          },
          signal,
        );
        inFlight.delete(part);
        done.set(part, body.size);
        report();
      }
    };
    const workers = Math.min(this.#opts.concurrency ?? PART_CONCURRENCY, Math.max(1, queue.length));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  async #sendPart(
    uploadId: string,
    partNumber: number,
    body: Blob,
    onProgress: (loaded: number) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let md5 = await this.#md5.contentMd5(body, signal);
    await this.#retrying(signal, async () => {
      for (;;) {
        // Signed just before use; an expired signature is signed again at once, not counted as a failure.
        const signed = await this.#api.signPart(uploadId, partNumber, md5, signal);
        try {
          await put(signed, body, onProgress, signal);
          return;
        } catch (err) {
          onProgress(0);
          if (err instanceof PutError && err.code === 'RequestExpired') continue;
          if (err instanceof PutError && err.code === 'BadDigest') {
            // S3 got other bytes than were hashed: hash again; another digest means the file itself changed.
            const again = await this.#md5.contentMd5(body, signal);
            if (again !== md5) throw new FileChanged();
            md5 = again;
          }
          throw err;
        }
      }
    });
  }

  #progress(sent: number, total: number): void {
    this.#lastProgressAt = Date.now();
    this.#opts.onProgress(this.#meter.sample(sent, total));
  }
}
