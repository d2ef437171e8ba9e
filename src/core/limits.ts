/**
 * Per-channel upload limits: a maximum size and the file types allowed. Sizes are read and shown with `bytes`,
 * types are extensions mapped to MIME types with `mime-types`. S3 enforces them: the partner page gets a signature
 * for the exact content-length and content-type of the chosen file, and nothing else is accepted.
 */
import bytes from 'bytes';
import mime from 'mime-types';

/** S3's limit for a single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

export interface UploadLimits {
  readonly maxSizeBytes: number | undefined;
  /** Lowercase extensions without the dot; undefined → any type. */
  readonly allowedTypes: readonly string[] | undefined;
}

export const NO_LIMITS: UploadLimits = { maxSizeBytes: undefined, allowedTypes: undefined };

export const hasLimits = (limits: UploadLimits) =>
  limits.maxSizeBytes !== undefined || limits.allowedTypes !== undefined;

/** `200MB`, `1.5 GB`, `500kb` → bytes (1 KB = 1024 B, as `bytes` reads it); undefined when unreadable or out of range. */
export function parseSize(text: string): number | undefined {
  if (!/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb)?\s*$/i.test(text)) return undefined;
  const value = bytes.parse(text.trim());
  if (value === null || !Number.isFinite(value) || value < 1 || value > MAX_PUT_BYTES) return undefined;
  return Math.floor(value);
}

export const formatSize = (value: number): string =>
  bytes.format(value, { unitSeparator: ' ', decimalPlaces: 1 }) ?? `${value} B`;

const EXTENSION = /^[a-z0-9]{1,16}$/;

/** `pdf,xlsx`, `.PDF, .xlsx` → ['pdf', 'xlsx']; undefined when any part is not an extension. */
export function parseTypes(text: string): string[] | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim().replace(/^\./, '').toLowerCase())
    .filter((p) => p !== '');
  if (parts.length === 0 || !parts.every((p) => EXTENSION.test(p))) return undefined;
  return [...new Set(parts)];
}

export const extensionOf = (name: string): string | undefined => {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : undefined;
};

/** The Content-Type to sign for a file: from its extension, else what the browser said, else a generic type. */
export function contentTypeFor(name: string, browserType: string | undefined): string {
  const ext = extensionOf(name);
  const fromExtension = ext === undefined ? false : mime.lookup(ext);
  if (fromExtension) return fromExtension;
  if (browserType && /^[\w.+-]+\/[\w.+-]+$/.test(browserType)) return browserType;
  return 'application/octet-stream';
}

export type FileCheck =
  | { ok: true }
  | { ok: false; reason: 'too-large'; maxSizeBytes: number }
  | { ok: false; reason: 'wrong-type'; allowedTypes: readonly string[] }
  | { ok: false; reason: 'empty' };

export function checkFile(file: { name: string; size: number }, limits: UploadLimits): FileCheck {
  if (!Number.isSafeInteger(file.size) || file.size < 1) return { ok: false, reason: 'empty' };
  const max = Math.min(limits.maxSizeBytes ?? MAX_PUT_BYTES, MAX_PUT_BYTES);
  if (file.size > max) return { ok: false, reason: 'too-large', maxSizeBytes: max };
  if (limits.allowedTypes !== undefined) {
    const ext = extensionOf(file.name);
    if (ext === undefined || !limits.allowedTypes.includes(ext)) {
      return { ok: false, reason: 'wrong-type', allowedTypes: limits.allowedTypes };
    }
  }
  return { ok: true };
}

export function describeLimits(limits: UploadLimits): string {
  const parts: string[] = [];
  if (limits.maxSizeBytes !== undefined) parts.push(`at most ${formatSize(limits.maxSizeBytes)}`);
  if (limits.allowedTypes !== undefined) parts.push(`only ${limits.allowedTypes.join(', ')}`);
  return parts.join(', ');
}
