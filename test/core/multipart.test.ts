import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFile, MAX_PUT_BYTES, NO_LIMITS, parseSize } from '../../src/core/limits.js';
import {
  checkParts,
  MiB,
  MULTIPART_THRESHOLD_BYTES,
  PART_BYTES,
  partLength,
  partPlan,
  planUpload,
  S3_LIMITS,
} from '../../src/core/multipart.js';

const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

/** Every plan must be one S3 accepts: parts within 5 MiB..5 GiB (the last may be smaller), at most 10,000. */
function expectValidPlan(size: number) {
  const plan = planUpload(size, { multipart: true });
  if (plan.kind === 'single') throw new Error(`${size} B: one PUT`);
  expect(plan.partCount).toBeLessThanOrEqual(S3_LIMITS.maxParts);
  expect(plan.partSize).toBeGreaterThanOrEqual(S3_LIMITS.minPartBytes);
  expect(plan.partSize).toBeLessThanOrEqual(S3_LIMITS.maxPartBytes);
  expect(plan.partSize % MiB).toBe(0);
  const last = partLength(plan, plan.partCount) ?? 0;
  expect(last).toBeGreaterThan(0);
  expect((plan.partCount - 1) * plan.partSize + last).toBe(size);
  expect(partLength(plan, plan.partCount + 1)).toBeUndefined();
  return plan;
}

describe('the part plan', () => {
  it.each([
    ['0 B', 0, { kind: 'single' }],
    ['1 B', 1, { kind: 'single' }],
    ['the threshold itself', MULTIPART_THRESHOLD_BYTES, { kind: 'single' }],
    [
      'one byte over the threshold',
      MULTIPART_THRESHOLD_BYTES + 1,
      { kind: 'multipart', partSize: PART_BYTES, partCount: 2 },
    ],
    ['5 GiB', 5 * GiB, { kind: 'multipart', partSize: PART_BYTES, partCount: 80 }],
    ['6 GiB', 6 * GiB, { kind: 'multipart', partSize: PART_BYTES, partCount: 96 }],
    ['5 TiB', 5 * TiB, { kind: 'multipart', partSize: 525 * MiB, partCount: 9987 }],
  ])('%s', (_name, size, expected) => {
    expect(planUpload(size, { multipart: true })).toEqual(
      expected.kind === 'single' ? expected : { ...expected, size },
    );
    if (expected.kind === 'multipart') expectValidPlan(size);
  });

  it('without multipart (the playground storage) every file is one PUT', () => {
    expect(planUpload(6 * GiB, { multipart: false })).toEqual({ kind: 'single' });
  });

  it('any size up to 5 TiB fits in at most 10,000 valid parts', () => {
    fc.assert(
      fc.property(fc.integer({ min: MULTIPART_THRESHOLD_BYTES + 1, max: S3_LIMITS.maxObjectBytes }), (size) => {
        expectValidPlan(size);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('the channel limit: a file at the limit fits, one byte more is refused; the limit goes up to 5 TB', () => {
    const limit = parseSize('2TB') ?? 0;
    expect(limit).toBe(2 * TiB);
    expect(parseSize('5TB')).toBe(5 * TiB);
    expect(parseSize('6TB')).toBeUndefined();
    const limits = { maxSizeBytes: limit, allowedTypes: undefined };
    expect(checkFile({ name: 'a.mov', size: limit }, limits, S3_LIMITS.maxObjectBytes)).toEqual({ ok: true });
    expectValidPlan(limit);
    expect(checkFile({ name: 'a.mov', size: limit + 1 }, limits, S3_LIMITS.maxObjectBytes)).toEqual({
      ok: false,
      reason: 'too-large',
      maxSizeBytes: limit,
    });
    // One PUT can never carry more than 5 GB, whatever the channel allows.
    expect(checkFile({ name: 'a.mov', size: MAX_PUT_BYTES + 1 }, NO_LIMITS)).toMatchObject({ reason: 'too-large' });
  });
});

describe('checkParts: what S3 holds against the plan, before completing', () => {
  const plan = partPlan(2 * PART_BYTES + 10);
  const part = (partNumber: number, size = partLength(plan, partNumber) ?? 0) => ({ partNumber, size, etag: 'e' });

  it('complete when every part is there at its planned length', () => {
    expect(checkParts(plan, [part(1), part(2), part(3)])).toEqual({ ok: true, total: plan.size });
  });
  it('says which parts are missing', () => {
    expect(checkParts(plan, [part(2)])).toEqual({ ok: false, reason: 'missing', missing: [1, 3] });
  });
  it('refuses a part of another length or beyond the plan', () => {
    expect(checkParts(plan, [part(1, 5 * MiB), part(2), part(3)])).toMatchObject({ reason: 'size-mismatch' });
    expect(checkParts(plan, [part(1), part(2), part(3), part(4, 10)])).toMatchObject({ reason: 'size-mismatch' });
  });
});
