/**
 * Per-channel upload limits: a maximum size and the file types allowed. Sizes are read and shown with `bytes`,
 * types are extensions mapped to MIME types with `mime-types`. S3 enforces them: the partner page gets a signature
 * for the exact content-length and content-type of the chosen file, and nothing else is accepted.
 */
import bytes from 'bytes';
import mime from 'mime-types';
import { S3_LIMITS } from './multipart.js';

/** S3's limit for a single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
/** S3's limit for an object (a multipart upload): a channel's max size may go up to it. */
export const MAX_OBJECT_BYTES = S3_LIMITS.maxObjectBytes;

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
  if (value === null || !Number.isFinite(value) || value < 1 || value > MAX_OBJECT_BYTES) return undefined;
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

/**
 * The Content-Type to sign for a link's file: from the link's own file name, never from what the partner's browser
 * says (a link for report.pdf must not store text/html); unknown extensions get a generic type.
 */
export function contentTypeFor(name: string): string {
  const ext = extensionOf(name);
  return (ext === undefined ? false : mime.lookup(ext)) || 'application/octet-stream';
}

/** RFC 5987 attr-char: what may stay as it is in `filename*=UTF-8''…`; everything else is percent-encoded. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * `attachment; filename*=UTF-8''…` (RFC 6266): a browser opening the stored object downloads it under the link's
 * name instead of rendering it, whatever it holds.
 */
export function contentDispositionFor(name: string): string {
  const encoded = [...new TextEncoder().encode(name)]
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `attachment; filename*=UTF-8''${encoded}`;
}

export type FileCheck =
  | { ok: true }
  | { ok: false; reason: 'too-large'; maxSizeBytes: number }
  | { ok: false; reason: 'wrong-type'; allowedTypes: readonly string[] }
  | { ok: false; reason: 'empty' };

/** `ceiling`: what the upload path can carry at most (one PUT: 5 GB; multipart: 5 TiB). */
export function checkFile(
  file: { name: string; size: number },
  limits: UploadLimits,
  ceiling: number = MAX_PUT_BYTES,
): FileCheck {
  if (!Number.isSafeInteger(file.size) || file.size < 1) return { ok: false, reason: 'empty' };
  const max = Math.min(limits.maxSizeBytes ?? ceiling, ceiling);
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
