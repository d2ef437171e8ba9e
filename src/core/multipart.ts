/**
 * How the partner page sends a file: one PUT, or an S3 multipart upload cut into parts the bot decides. No AWS here:
 * plain numbers, the same for the bot (which signs each part for its exact length) and for the page (which cuts the
 * file with the part size the bot answered).
 *
 * S3's rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): parts of 5 MiB to 5 GiB (the last
 * may be smaller), part numbers 1 to 10,000, objects up to 5 TiB; one PUT up to 5 GB.
 */

export const MiB = 1024 * 1024;

export const S3_LIMITS = {
  minPartBytes: 5 * MiB,
  maxPartBytes: 5 * 1024 * MiB,
  maxParts: 10_000,
  maxObjectBytes: 5 * 1024 * 1024 * MiB,
} as const;

/**
 * Files above this go in parts (Uppy's default too): below it one PUT is as fast and a lost connection costs little.
 * Parts are at least PART_BYTES: every part is one signing request to the bot (the per-link budget is counted in
 * requests), and at 64 MiB a part costs about half a second of MD5 in the page's worker. Larger files get larger
 * parts, so that 10,000 parts always hold them.
 */
export const MULTIPART_THRESHOLD_BYTES = 100 * MiB;
export const PART_BYTES = 64 * MiB;
/** Parts the page keeps in flight at once: see the partner page row of bench/RESULTS.md. */
export const PART_CONCURRENCY = 4;

export interface PartPlan {
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
}

export type UploadPlan = { readonly kind: 'single' } | ({ readonly kind: 'multipart' } & PartPlan);

/** The part size for a file of `size` bytes: PART_BYTES, or the smallest whole MiB that fits it in 10,000 parts. */
export function partSizeFor(size: number): number {
  const forMaxParts = Math.ceil(size / S3_LIMITS.maxParts / MiB) * MiB;
  return Math.min(S3_LIMITS.maxPartBytes, Math.max(PART_BYTES, forMaxParts));
}

export function partPlan(size: number, partSize = partSizeFor(size)): PartPlan {
  return { size, partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** One PUT up to the threshold (or always, when the storage cannot do multipart), parts above it. */
export function planUpload(size: number, options: { readonly multipart: boolean }): UploadPlan {
  if (!options.multipart || size <= MULTIPART_THRESHOLD_BYTES) return { kind: 'single' };
  return { kind: 'multipart', ...partPlan(size) };
}

/** Part `n`'s exact length (every part but the last is `partSize`); undefined when there is no part `n`. */
export function partLength(plan: PartPlan, n: number): number | undefined {
  if (!Number.isSafeInteger(n) || n < 1 || n > plan.partCount) return undefined;
  return n < plan.partCount ? plan.partSize : plan.size - (plan.partCount - 1) * plan.partSize;
}

export interface ListedPart {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
}

export type PartsCheck =
  | { readonly ok: true; readonly total: number }
  | { readonly ok: false; readonly reason: 'missing'; readonly missing: readonly number[] }
  | { readonly ok: false; readonly reason: 'size-mismatch'; readonly total: number };

/**
 * What S3 holds against the plan, before completing: every part 1..N present, each of its planned length, and so a
 * total equal to the declared size. Missing parts can still be sent; any other difference cannot be mended.
 */
export function checkParts(plan: PartPlan, parts: readonly ListedPart[]): PartsCheck {
  const total = parts.reduce((sum, part) => sum + part.size, 0);
  const byNumber = new Map(parts.map((part) => [part.partNumber, part]));
  const stray = parts.some((part) => partLength(plan, part.partNumber) !== part.size);
  if (stray || total > plan.size) return { ok: false, reason: 'size-mismatch', total };
  const missing: number[] = [];
  for (let n = 1; n <= plan.partCount; n++) if (!byNumber.has(n)) missing.push(n);
  if (missing.length > 0) return { ok: false, reason: 'missing', missing };
  return total === plan.size ? { ok: true, total } : { ok: false, reason: 'size-mismatch', total };
}

export type UploadState = 'open' | 'completing' | 'completed' | 'aborted';

/** A multipart upload the bot created for a link: the link may touch this upload id and no other. */
export interface MultipartUpload extends PartPlan {
  readonly uploadId: string;
  readonly linkId: string;
  readonly key: string;
  /** Fixed at create time from the link's file name. */
  readonly contentType: string;
  readonly state: UploadState;
  readonly createdAt: Date;
  readonly closedAt: Date | undefined;
}

export type NewMultipartUpload = Omit<MultipartUpload, 'state' | 'closedAt'>;
