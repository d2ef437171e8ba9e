/**
 * What survives a reload: one small localStorage record per link, never the file itself (a multi-GB File cannot be
 * kept; IndexedDB would need a copy of it). When the partner picks a file again, the record matches it by
 * fingerprint (name, size, lastModified, type), the way Uppy's own file ids do, and the upload continues from the
 * bot's ListParts. The part size is stored too: resumed parts must be cut exactly as before.
 */

export interface ResumeRecord {
  readonly v: 1;
  readonly uploadId: string;
  readonly partSize: number;
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly lastModified: number;
  readonly startedAt: number;
}

export type Fingerprint = Pick<ResumeRecord, 'name' | 'size' | 'type' | 'lastModified'>;

export const fingerprintOf = (file: File): Fingerprint => ({
  name: file.name,
  size: file.size,
  type: file.type,
  lastModified: file.lastModified,
});

export const sameFile = (a: Fingerprint, b: Fingerprint): boolean =>
  a.name === b.name && a.size === b.size && a.type === b.type && a.lastModified === b.lastModified;

/** A stale record only wastes one ListParts call; the bot's answer (404 no-such-upload) is what ends it. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export class ResumeStore {
  constructor(
    private readonly linkId: string,
    private readonly storage: Storage | undefined = globalThis.localStorage,
  ) {}

  get #key() {
    return `upload-link:multipart:${this.linkId}`;
  }

  load(): ResumeRecord | undefined {
    try {
      const raw = this.storage?.getItem(this.#key);
      if (!raw) return undefined;
      const r = JSON.parse(raw) as ResumeRecord;
      if (r.v !== 1 || typeof r.uploadId !== 'string' || !(r.partSize > 0)) return undefined;
      if (Date.now() - r.startedAt > MAX_AGE_MS) {
        this.clear();
        return undefined;
      }
      return r;
    } catch {
      return undefined; // storage disabled (private mode, policy): resume after reload is lost, nothing else
    }
  }

  save(record: ResumeRecord): void {
    try {
      this.storage?.setItem(this.#key, JSON.stringify(record));
    } catch {
      /* quota or disabled storage: see load() */
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(this.#key);
    } catch {
      /* ignore */
    }
  }
}
