/**
 * The partner page's multipart upload (headless Chromium, the page's own script: MD5 of every part in its worker,
 * parts signed one by one by the bot, 4 in flight) against one `curl --upload-file` PUT of the same file through the
 * reply's raw URL, to the same S3 server in the same run: a Ceph RGW cluster of the bench's own on loopback (s3rver,
 * the other benches' S3, cannot list parts, which completing needs).
 *
 * Size: 1 GiB (16 parts of 64 MiB), as the issue asks; the harness's RGW keeps objects in memory (memstore, 8 GiB),
 * and each side's object is deleted and garbage-collected before the next upload.
 * `tsx bench/upload.ts` runs this part alone.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { PART_CONCURRENCY as CONCURRENCY, MiB, PART_BYTES } from '../src/core/multipart.js';
import { ALLOWED, startTestApp, type TestApp, urlFromReply } from '../test/support/app.js';
import { HAVE_CHROMIUM, launchChromium } from '../test/support/browser.js';
import { partnerId } from '../test/support/partner-page.js';
import { type FreshBucket, freshRgwBucket, putBucketCors } from '../test/support/rgw.js';
import { findRgwBinaries, type RgwCluster, startRgwCluster } from '../test/support/rgw-cluster.js';
import { targetOnly } from '../test/support/rgw-s3.js';
import type { Plan } from './plan.js';
import type { Row } from './table.js';
import { log, median } from './util.js';

export const UPLOAD_BYTES = 1024 * MiB;

export interface UploadReport {
  readonly rows: Row[];
  readonly details: string[];
  readonly problems: string[];
}

interface Sides {
  readonly page: number[];
  readonly curl: number[];
  readonly md5MiBps: number;
}

const mibps = (bytes: number, seconds: number) => bytes / MiB / seconds;

/** Delete the object and run RGW's garbage collection, so its memory is free for the next upload. */
async function forget(cluster: RgwCluster, bucket: FreshBucket, key: string): Promise<void> {
  await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }));
  await cluster.radosgwAdmin('gc', 'process', '--include-all');
}

const keyOf = (reply: { body: string }, bucket: string) =>
  new RegExp(`s3://${bucket}/([^"\\\\]+)`).exec(reply.body)?.[1] ?? '';

async function curlOnce(app: TestApp, cluster: RgwCluster, bucket: FreshBucket, file: string): Promise<number> {
  const reply = await app.command({ text: 'bench.bin', user_id: ALLOWED });
  const url = urlFromReply(reply.json);
  const started = performance.now();
  await promisify(execFile)('curl', [
    '--fail',
    '--silent',
    '--show-error',
    '--upload-file',
    file,
    url,
    '-o',
    '/dev/null',
  ]);
  const seconds = (performance.now() - started) / 1000;
  await forget(cluster, bucket, keyOf(reply, bucket.name));
  return seconds;
}

async function pageOnce(
  app: TestApp,
  cluster: RgwCluster,
  bucket: FreshBucket,
  file: string,
  browser: Awaited<ReturnType<typeof launchChromium>>,
): Promise<{ seconds: number; md5MiBps: number }> {
  const reply = await app.command({ text: 'bench.bin', user_id: ALLOWED });
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/u/${partnerId(reply)}`);
    const md5MiBps = Number(await page.evaluate(measureMd5(PART_BYTES)));
    await page.setInputFiles('#file', file);
    const started = performance.now();
    await page.click('#send');
    await page.locator('#state[data-state="done"]').waitFor({ timeout: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    await forget(cluster, bucket, keyOf(reply, bucket.name));
    return { seconds, md5MiBps };
  } finally {
    await context.close();
  }
}

/**
 * In the page: one part's worth of bytes hashed by the page's own MD5 worker, in MiB/s. A string, not a function:
 * tsx wraps named functions in a helper the page does not have.
 */
const measureMd5 = (bytes: number) => `(async () => {
  const blob = new Blob([new Uint8Array(${bytes}).map((_, i) => i * 31)]);
  const worker = new Worker('/assets/partner-md5-worker.js');
  const hash = () => new Promise((resolve) => { worker.onmessage = resolve; worker.postMessage({ id: 1, blob }); });
  await hash();
  const started = performance.now();
  await hash();
  worker.terminate();
  return ${bytes} / 1048576 / ((performance.now() - started) / 1000);
})()`;

async function measure(rounds: number, cluster: RgwCluster): Promise<Sides> {
  const bucket = await freshRgwBucket(cluster, 'bench');
  await putBucketCors(bucket.client, bucket.name);
  const dir = await mkdtemp(join(tmpdir(), 'upload-link-bench-upload-'));
  const file = join(dir, 'bench.bin');
  await writeFile(file, randomBytes(UPLOAD_BYTES));
  const app = await startTestApp({
    s3: targetOnly(cluster.endpoint, bucket.name),
    credentials: { ...cluster.credentials },
    env: { PUBLIC_URL: 'https://upload.example.com', LOG_LEVEL: 'warn' },
  });
  app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1' }));
  const browser = await launchChromium();
  const sides: { page: number[]; curl: number[]; md5: number[] } = { page: [], curl: [], md5: [] };
  try {
    for (let round = 1; round <= rounds; round++) {
      sides.curl.push(await curlOnce(app, cluster, bucket, file));
      const page = await pageOnce(app, cluster, bucket, file, browser);
      sides.page.push(page.seconds);
      sides.md5.push(page.md5MiBps);
      log(`upload round ${round}: page ${page.seconds.toFixed(1)} s, curl ${sides.curl.at(-1)?.toFixed(1)} s`);
    }
  } finally {
    await browser.close();
    await app.close();
    await bucket.drop();
    await rm(dir, { recursive: true, force: true });
  }
  return { page: sides.page, curl: sides.curl, md5MiBps: median(sides.md5) };
}

export async function benchPageUpload(plan: Plan): Promise<UploadReport> {
  const binaries = findRgwBinaries().binaries;
  if (binaries === undefined || !HAVE_CHROMIUM) {
    const why = binaries === undefined ? 'no Ceph RGW binaries' : 'no Chromium';
    return { rows: [], details: [], problems: [`partner page upload row skipped: ${why}`] };
  }
  const cluster = await startRgwCluster(binaries);
  try {
    const sides = await measure(plan.name === 'full' ? 3 : 1, cluster);
    const page = mibps(UPLOAD_BYTES, median(sides.page));
    const curl = mibps(UPLOAD_BYTES, median(sides.curl));
    const size = `${UPLOAD_BYTES / MiB} MiB`;
    return {
      rows: [
        {
          id: 'page-upload',
          metric: `Partner page upload, ${size} in ${PART_BYTES / MiB} MiB parts, ${CONCURRENCY} in flight (MiB/s, median of ${sides.page.length})`,
          ours: page.toFixed(0),
          baseline: `${curl.toFixed(0)} (one curl PUT)`,
          ratio: page / curl,
          target: { atLeast: 1 },
        },
      ],
      details: [
        `Partner page vs curl, ${size} to the same RGW gateway: page ${sides.page.map((s) => s.toFixed(1)).join(', ')} s; curl ${sides.curl.map((s) => s.toFixed(1)).join(', ')} s; the page's MD5 worker hashed ${sides.md5MiBps.toFixed(0)} MiB/s on one ${PART_BYTES / MiB} MiB part`,
      ],
      problems: [],
    };
  } finally {
    await cluster.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { QUICK, FULL } = await import('./plan.js');
  const report = await benchPageUpload(process.argv.includes('--quick') ? QUICK : FULL);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
