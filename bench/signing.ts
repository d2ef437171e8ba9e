/**
 * Signing throughput, one process, after warm-up (issue 4, item 1). Four contenders sign PUT URLs for the same
 * bucket, region and static credentials:
 * - ours:  `createS3Signer(...).signUpload` — the whole production call: credential and expiry checks, then the
 *          fast path in src/presign.ts;
 * - v3:    plain `getSignedUrl(client, new PutObjectCommand(...))` on a client made like src/signer.ts makes it;
 * - v2:    AWS SDK v2 `s3.getSignedUrlPromise('putObject', ...)` (the seed's way; a devDependency for this only);
 * - floor: `@smithy/signature-v4` `SignatureV4#presign` on a prebuilt request — the signing itself and nothing else.
 *
 * The machine is noisy, so the contenders run interleaved in rounds (the order rotates every round) and each one's
 * median over the rounds is reported; the ratios are of those medians. Each contender signs one URL at a time, as a
 * request handler would. Throughput is counted per second of this process's CPU time (user + system), which other
 * processes on a shared machine cannot inflate; wall-clock rates are reported alongside. All four contenders do
 * pure computation (no I/O, no timers), so on an idle machine the two agree. Keys rotate over a small set so no
 * cache in any contender sees only one key. A script, not a test: nothing here asserts a timing.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/core/protocols';
// Not a direct dependency: it is the signer the SDK itself uses, present through @aws-sdk/client-s3.
import { SignatureV4 } from '@smithy/signature-v4';
import type S3V2 from 'aws-sdk/clients/s3.js';
import { createPutUrlPresigner } from '../src/aws/presign.js';
import { createS3Client, createS3Signer, type S3Target } from '../src/aws/signer.js';

export type SigningContender = 'ours' | 'v3' | 'v2' | 'floor';

export interface SigningBenchOptions {
  /** Measured seconds per contender, split evenly over the rounds (default 2). */
  readonly seconds?: number;
  /** Interleaved rounds (default 5). */
  readonly rounds?: number;
  /** Warm-up seconds per contender before the first round (default: half of `seconds`, at least 1). */
  readonly warmUpSeconds?: number;
}

export interface SigningBenchResult {
  /** Median over the rounds, URLs signed per second of CPU time. The ratios are of these. */
  readonly opsPerSecond: Readonly<Record<SigningContender, number>>;
  /** Median over the rounds, URLs signed per second of wall-clock time (inflated by anything else running). */
  readonly wallOpsPerSecond: Readonly<Record<SigningContender, number>>;
  /** Every round's ops/s (CPU time), per contender, in round order. */
  readonly rounds: Readonly<Record<SigningContender, readonly number[]>>;
  /** Every round's ops/s (wall clock), per contender, in round order. */
  readonly wallRounds: Readonly<Record<SigningContender, readonly number[]>>;
  /** ours / v2 (target ≥ 3), ours / floor (target ≥ 0.5), ours / v3 getSignedUrl (no target). */
  readonly ratios: { readonly oursOverV2: number; readonly oursOverFloor: number; readonly oursOverV3: number };
  readonly targets: { readonly oursOverV2: 3; readonly oursOverFloor: 0.5 };
  readonly met: { readonly oursOverV2: boolean; readonly oursOverFloor: boolean };
  /** Which path src/presign.ts took for the benchmarked configuration ('template' is the fast path). */
  readonly oursPath: 'template' | 'sdk';
  readonly secondsPerContender: number;
  readonly warmUpSeconds: number;
  readonly node: string;
}

const TARGET: S3Target = {
  bucket: 'upload-link-bench',
  region: 'eu-west-1',
  endpoint: undefined,
  forcePathStyle: false,
};
const CREDENTIALS = { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: 'bench/secret+key=example' } as const;
const EXPIRES_IN = 24 * 3600;
const CONTENDERS: readonly SigningContender[] = ['ours', 'v3', 'v2', 'floor'];

/** Keys shaped like the bot's: channel prefix, date, UUID, the name the user typed. */
const KEYS = Array.from({ length: 64 }, (_, i) => {
  const names = ['report.pdf', 'Q3 Zahlen — Übersicht 報告 🚀.xlsx', "Partner's data [final].csv", 'notes.md'];
  return `uploads/C0ACME${i % 7}/2025-01-${String((i % 28) + 1).padStart(2, '0')}/${randomUUID()}/${names[i % names.length]}`;
});

type SignOnce = (key: string) => Promise<unknown>;

export async function benchSigning(options: SigningBenchOptions = {}): Promise<SigningBenchResult> {
  const seconds = options.seconds ?? 2;
  const roundCount = Math.max(1, Math.round(options.rounds ?? 5));
  const warmUpSeconds = options.warmUpSeconds ?? Math.max(1, seconds / 2);
  const { contenders, oursPath, close } = await prepareContenders();
  try {
    for (const name of CONTENDERS) await run(contenders[name], warmUpSeconds);

    const rounds: Record<SigningContender, number[]> = { ours: [], v3: [], v2: [], floor: [] };
    const wallRounds: Record<SigningContender, number[]> = { ours: [], v3: [], v2: [], floor: [] };
    for (let round = 0; round < roundCount; round++) {
      for (let i = 0; i < CONTENDERS.length; i++) {
        const name = CONTENDERS[(round + i) % CONTENDERS.length] as SigningContender;
        const rate = await run(contenders[name], seconds / roundCount);
        rounds[name].push(rate.cpu);
        wallRounds[name].push(rate.wall);
      }
    }
    const medians = (perRound: Record<SigningContender, number[]>) => ({
      ours: median(perRound.ours),
      v3: median(perRound.v3),
      v2: median(perRound.v2),
      floor: median(perRound.floor),
    });
    const opsPerSecond = medians(rounds);
    const ratios = {
      oursOverV2: opsPerSecond.ours / opsPerSecond.v2,
      oursOverFloor: opsPerSecond.ours / opsPerSecond.floor,
      oursOverV3: opsPerSecond.ours / opsPerSecond.v3,
    };
    return {
      opsPerSecond,
      wallOpsPerSecond: medians(wallRounds),
      rounds,
      wallRounds,
      ratios,
      targets: { oursOverV2: 3, oursOverFloor: 0.5 },
      met: { oursOverV2: ratios.oursOverV2 >= 3, oursOverFloor: ratios.oursOverFloor >= 0.5 },
      oursPath,
      secondsPerContender: seconds,
      warmUpSeconds,
      node: process.version,
    };
  } finally {
    close();
  }
}

async function prepareContenders(): Promise<{
  contenders: Record<SigningContender, SignOnce>;
  oursPath: 'template' | 'sdk';
  close(): void;
}> {
  const signer = createS3Signer({ target: TARGET, credentials: CREDENTIALS });
  await signer.warmUp();
  const ours: SignOnce = (key) => signer.signUpload(key, EXPIRES_IN, new Date());

  const client = createS3Client({ target: TARGET, credentials: CREDENTIALS });
  const v3: SignOnce = (key) =>
    getSignedUrl(client, new PutObjectCommand({ Bucket: TARGET.bucket, Key: key }), {
      expiresIn: EXPIRES_IN,
      signingDate: new Date(),
    });

  const s3v2 = loadS3V2();
  const v2: SignOnce = (key) =>
    s3v2.getSignedUrlPromise('putObject', { Bucket: TARGET.bucket, Key: key, Expires: EXPIRES_IN });

  // What the SDK signs for this bucket, prebuilt: only `presign` runs per call.
  const signatureV4 = new SignatureV4({
    credentials: CREDENTIALS,
    region: TARGET.region,
    service: 's3',
    sha256: client.config.sha256,
    uriEscapePath: false,
  });
  const host = `${TARGET.bucket}.s3.${TARGET.region}.amazonaws.com`;
  const prebuilt = new HttpRequest({
    method: 'PUT',
    protocol: 'https:',
    hostname: host,
    path: `/${KEYS[0]}`,
    query: { 'x-id': 'PutObject' },
    headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const floor: SignOnce = () => signatureV4.presign(prebuilt, { expiresIn: EXPIRES_IN, signingDate: new Date() });

  // The same configuration as `signer`, to report which path it took (the signer does not expose that).
  const probe = await createPutUrlPresigner({
    client,
    bucket: TARGET.bucket,
    createProbeClient: (credentials) => createS3Client({ target: TARGET, credentials }),
  });

  // A benchmark of something that signs differently would be meaningless: ours must equal getSignedUrl.
  const now = new Date();
  const [mine, theirs] = await Promise.all([
    signer.signUpload(KEYS[1] as string, EXPIRES_IN, now),
    getSignedUrl(client, new PutObjectCommand({ Bucket: TARGET.bucket, Key: KEYS[1] }), {
      expiresIn: EXPIRES_IN,
      signingDate: now,
    }),
  ]);
  if (mine.url !== theirs) throw new Error(`ours and getSignedUrl differ:\n${mine.url}\n${theirs}`);

  return { contenders: { ours, v3, v2, floor }, oursPath: probe.path, close: () => client.destroy() };
}

function loadS3V2(): S3V2 {
  const require = createRequire(import.meta.url);
  const S3 = require('aws-sdk/clients/s3') as typeof S3V2;
  // v2 schedules an end-of-support notice on load; it would only clutter the table.
  const notice = require('aws-sdk/lib/maintenance_mode_message') as { suppress: boolean };
  notice.suppress = true;
  return new S3({ region: TARGET.region, credentials: CREDENTIALS, signatureVersion: 'v4' });
}

/** Signs one URL at a time for `seconds` of CPU time; returns URLs per CPU second and per wall-clock second. */
async function run(sign: SignOnce, seconds: number): Promise<{ cpu: number; wall: number }> {
  const budget = seconds * 1e6;
  let count = 0;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let cpu = 0;
  while (cpu < budget) {
    for (let i = 0; i < 16; i++) await sign(KEYS[(count + i) & 63] as string);
    count += 16;
    const used = process.cpuUsage(cpuStart);
    cpu = used.user + used.system;
  }
  const wall = performance.now() - wallStart;
  return { cpu: (count * 1e6) / cpu, wall: (count * 1000) / wall };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
