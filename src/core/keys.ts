/**
 * Object keys: `<channel prefix><YYYY-MM-DD>/<unique id>/<safe file name>`.
 *
 * S3 limits a key to 1024 bytes of UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
 * Whatever the user typed, the key stays under its channel prefix and within that limit.
 */
import { randomUUID } from 'node:crypto';

export const MAX_KEY_BYTES = 1024;
/** Room a prefix must leave for the date, the id and a reasonable file name. */
export const MAX_PREFIX_BYTES = 512;

const utf8 = new TextEncoder();
export const byteLength = (text: string): number => utf8.encode(text).length;

/** Characters removed from names: C0/C1 controls and the bidi controls used to disguise extensions (`gpj.exe`). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const WHITESPACE_CONTROLS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const LONE_SURROGATES = /\p{Cs}/gu;
/** Both separators: a Windows path pasted on a Mac still loses its folders. */
const SEPARATORS = /[/\\]/;

export type SafeName = { ok: true; name: string } | { ok: false; reason: 'empty' | 'nothing-left' };

/**
 * What is kept of a typed file name: its last path part, in NFC, without control characters, trimmed, with spaces,
 * case, Unicode and the extension intact. A name of only dots (`.`, `..`) leaves nothing.
 */
export function safeFilename(typed: string): SafeName {
  if (typed.trim() === '') return { ok: false, reason: 'empty' };
  // NFC last: removing a control between a letter and its accent (`e\u202e\u0301`) must still leave a composed `é`.
  // Lone surrogates go too: they cannot be encoded as UTF-8, so the key could not be signed or stored.
  const cleaned = typed
    .replace(WHITESPACE_CONTROLS, ' ')
    .replace(UNSAFE_CHARS, '')
    .replace(LONE_SURROGATES, '')
    .normalize('NFC');
  const lastPart = cleaned.split(SEPARATORS).at(-1) ?? '';
  // Trailing dots and spaces are dropped by Windows when the file is downloaded; leading spaces are never meant.
  const name = lastPart
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '');
  if (name === '' || /^\.+$/.test(name)) return { ok: false, reason: 'nothing-left' };
  return { ok: true, name };
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cut `text` to at most `maxBytes` of UTF-8 without splitting a character (or an emoji sequence). */
export function truncateToBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = byteLength(segment);
    if (used + size > maxBytes) break;
    out += segment;
    used += size;
  }
  return out;
}

/**
 * `truncateToBytes`, except that when not even the first grapheme fits (a long ZWJ chain, Zalgo text) the text is cut
 * by code points: a split grapheme is better than an empty file name.
 */
function cutName(text: string, maxBytes: number): string {
  const whole = truncateToBytes(text, maxBytes);
  if (whole !== '') return whole;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = byteLength(ch);
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/** Longest extension we try to keep whole, in bytes (`.tar.gz` style double extensions are kept as the last part). */
const MAX_EXTENSION_BYTES = 32;

/** Fit a safe name into `maxBytes`, keeping its extension when it has a sensible one. */
export function fitFilename(name: string, maxBytes: number): string {
  if (byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  if (extension !== '' && byteLength(extension) <= Math.min(MAX_EXTENSION_BYTES, maxBytes - 1)) {
    const stem = cutName(name.slice(0, dot), maxBytes - byteLength(extension)).trimEnd();
    if (stem !== '') return stem + extension;
  }
  return cutName(name, maxBytes);
}

/** Problems with a key prefix, in words; empty when it is fine. Used for `UPLOAD_PREFIX` and per-channel overrides. */
export function prefixProblems(prefix: string): string[] {
  const problems: string[] = [];
  if (prefix.startsWith('/')) problems.push('must not start with "/"');
  if (!prefix.endsWith('/')) problems.push('must end with "/"');
  if (prefix.split('/').some((part) => part === '..' || part === '.'))
    problems.push('must not contain "." or ".." parts');
  if (prefix.includes('//')) problems.push('must not contain "//"');
  if (prefix.replace(UNSAFE_CHARS, '').replace(WHITESPACE_CONTROLS, '') !== prefix) {
    problems.push('must not contain control characters');
  }
  if (byteLength(prefix) > MAX_PREFIX_BYTES) problems.push(`must be at most ${MAX_PREFIX_BYTES} bytes`);
  return problems;
}

export function channelPrefix(uploadPrefix: string, channelId: string): string {
  return `${uploadPrefix}${channelId}/`;
}

/** A 122-bit random id: two links for the same name never share a key. */
export const newObjectId = (): string => randomUUID();

export interface KeyParts {
  readonly prefix: string;
  readonly date: Date;
  readonly id: string;
  readonly filename: string;
}

/** The full key. `filename` must come from `safeFilename`; it is shortened here so the key fits in 1024 bytes. */
export function buildObjectKey({ prefix, date, id, filename }: KeyParts): string {
  const head = `${prefix}${date.toISOString().slice(0, 10)}/${id}/`;
  return head + fitFilename(filename, MAX_KEY_BYTES - byteLength(head));
}
