/**
 * Memory: RSS (and JS heap after a full GC) of a fresh ours process after warm-up and after many more requests.
 * RSS follows V8's heap sizing, which moves by tens of MB from one moment to the next under load, so each side is
 * the median of several readings taken a fixed number of requests apart, not one reading.
 */
import { type LoadOptions, runLoad } from './load.js';
import { type NodeProcess, residentBytes } from './processes.js';
import { ACCEPTS, type Context, command, startServer } from './servers.js';
import { log, mb, median, sleep } from './util.js';

/**
 * Preloaded into the memory run's server: on SIGUSR2, a full GC, then the process's own memory figures on stderr
 * (its log file), so the JS heap can be compared as well as the RSS.
 */
const GC_ON_SIGUSR2 = `data:text/javascript,${encodeURIComponent(
  "process.on('SIGUSR2', () => { globalThis.gc?.(); " +
    "process.stderr.write('bench-memory ' + JSON.stringify(process.memoryUsage()) + '\\n'); });",
)}`;

interface MemorySample {
  /** Median of `readings`. */
  readonly rssBytes: number;
  readonly readings: number[];
  /** After a full GC, once the readings are taken. */
  readonly gcRssBytes: number;
  readonly gcHeapUsedBytes: number;
}

export interface MemoryReport {
  readonly requests: number;
  readonly warm: MemorySample;
  readonly after: MemorySample;
  readonly problems: string[];
}

/**
 * RSS after each of `count` runs of `requests` requests, then a full GC in the server and its RSS and JS heap after
 * it. Load problems go into `problems`.
 */
async function memorySample(
  server: NodeProcess,
  load: Omit<LoadOptions, 'amount' | 'seconds'>,
  count: number,
  requests: number,
  problems: string[],
): Promise<MemorySample> {
  const readings: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = await runLoad({ ...load, amount: requests });
    problems.push(...result.problems);
    await sleep(200);
    readings.push(await residentBytes(server.pid));
  }
  const reports = () =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('bench-memory ')).length;
  const before = reports();
  server.child.kill('SIGUSR2');
  for (let i = 0; i < 100 && reports() === before; i++) await sleep(20);
  const report = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('bench-memory '))
    .at(-1);
  if (report === undefined || reports() === before) throw new Error('the server did not report its memory after GC');
  const usage = JSON.parse(report.slice('bench-memory '.length)) as { rss: number; heapUsed: number };
  return { rssBytes: median(readings), readings, gcRssBytes: usage.rss, gcHeapUsedBytes: usage.heapUsed };
}

export async function benchMemory(ctx: Context): Promise<MemoryReport> {
  const { plan } = ctx;
  const ours = await startServer(ctx, 'ours', ['--expose-gc', '--import', GC_ON_SIGUSR2]);
  try {
    const load = { port: ours.port, request: command, connections: plan.connections, verifyBody: ACCEPTS.ours };
    const problems: string[] = [];
    // Long enough for V8 to grow its heap to the size this load keeps it at; RSS before that is no baseline.
    problems.push(...(await runLoad({ ...load, amount: plan.memoryWarmUpRequests })).problems);
    const sample = () => memorySample(ours.server, load, plan.memoryReadings, plan.memoryReadingRequests, problems);
    const warm = await sample();
    const result = await runLoad({ ...load, amount: plan.memoryRequests });
    problems.push(...result.problems);
    const after = await sample();
    log(
      `memory: RSS ${mb(warm.rssBytes)} → ${mb(after.rssBytes)} MB (medians) around ${result.completed} requests; ` +
        `after GC RSS ${mb(warm.gcRssBytes)} → ${mb(after.gcRssBytes)} MB, ` +
        `heap ${mb(warm.gcHeapUsedBytes)} → ${mb(after.gcHeapUsedBytes)} MB`,
    );
    return { requests: result.completed, warm, after, problems: problems.map((p) => `memory run: ${p}`) };
  } finally {
    await ours.server.stop();
  }
}
