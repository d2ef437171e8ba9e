/** The table's rows from every part's report, and bench/RESULTS.md around the table. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { type ColdStartReport, PHASES, type Phase } from './cold-start.js';
import type { HttpReport } from './http.js';
import type { InstancesReport } from './instances.js';
import type { MemoryReport } from './memory.js';
import type { Plan } from './plan.js';
import { COMMAND_TEXT, ROOT } from './servers.js';
import type { SigningReport } from './signing-rows.js';
import { isMet, type Row } from './table.js';
import { mb, median } from './util.js';

/**
 * What limits a target when it is not met, shown under the table in bench/RESULTS.md. From profiles of the built
 * app under this benchmark's load (`node --cpu-prof`, steady state) and of its start; re-check them when the
 * numbers move.
 */
const LIMITS: Record<string, string> = {
  'http-throughput':
    'CPU per request. Both servers are CPU-bound here, and ours spends several times what bare Bolt spends on a ' +
    'request (the "Server CPU per request" row), because it does real work where bare Bolt does none. A profile ' +
    'of ours under this load (with the prepared-statement cache of src/store/database.ts) puts about a quarter of ' +
    'its time (≈ 26 %) in the store: four queries per command (channel settings, stored admin, access entries, ' +
    'and the audit insert with its WAL commit), ≈ 20 % inside the SQLite calls themselves; moving the file to ' +
    'tmpfs changes nothing, so it is not fsync. Then ≈ 20 % in Bolt itself, ≈ 16 % in socket writes, ≈ 8 % in ' +
    "signing (the fast path) and ≈ 8 % in GC. Our store calls alone cost more CPU than bare Bolt's whole request, " +
    "and 0.9× would need everything the handler does to cost about a tenth of Bolt's own per-request work: with " +
    'a store read and an audit write per command that is out of reach by design, whatever the signer does. What ' +
    'would narrow it further (src/, not done here): read channel settings, stored admin and entries in one query ' +
    "(or cache them briefly, against the store's rule that every instance sees a change on its next request), and " +
    'allocate less per request.',
  'http-p99':
    'The same limit as throughput. At a fixed 50 connections the load is closed-loop: each connection sends its ' +
    "next request when the last reply arrives, so the mean latency is 50 ÷ throughput (Little's law) and the p99 " +
    'ratio follows the inverse of the throughput ratio. The row "p99 latency, N req/s paced" shows latency ' +
    "without that queueing. It is dominated by this machine's other load and swings from run to run, either side " +
    'ahead (ours 9–93 ms, bare Bolt 7–33 ms over four full runs and some probes here), far above the ≈ 1 ms of ' +
    'CPU a request costs. When ours is the higher, `--trace-gc` shows young-generation GC pauses of up to ' +
    '≈ 30 ms under this load (ours allocates far more per request: Kysely query trees, the Block Kit reply); ' +
    "moving the SQLite file to tmpfs made no consistent difference, so the audit commit's fsync is not the " +
    'cause. Not analysed further.',
  'cold-start':
    'Module loading. A profile of our start puts about two thirds of it in loading and evaluating modules (and ' +
    'most of the GC in it). Beyond Bolt, which both load, ours loads Kysely (≈ 300 ESM files, ≈ 0.25–0.4 s here), ' +
    '@aws-sdk/client-s3 (≈ 0.3–0.4 s) and zod (≈ 0.15 s) (pg is loaded only for postgres:// targets), then calls ' +
    'auth.test, loads AWS credentials, opens the store and self-checks the signing fast path (≈ 0.1 s together). ' +
    'What would narrow it (the build and src/, not done here): bundle dist/server.js into one file (e.g. esbuild) ' +
    'so Node resolves and reads one file instead of hundreds, and, on Node ≥ 22, `module.enableCompileCache()`.',
  'page-upload':
    'CPU. This machine has 2 cores for Chromium (the page, its 2 MD5 workers and its uploads), the Ceph gateway ' +
    'and OSD (which take the bytes: curl alone reaches the gateway at the speed shown), and the bot. The page does ' +
    'what curl does not: it reads every byte twice (MD5 in a worker, ≈ 100 MiB/s a core in js-md5, measured on a ' +
    'part in the same run; then the upload), and its uploads compete with the hashing and with the gateway for the ' +
    "same two cores. On a partner's machine S3 is elsewhere and the uplink is the limit (a few to a few hundred " +
    "Mbit/s), far below the page's rate here; 4 parts in flight keep the uplink busy while the next part is hashed " +
    'and signed, and lose at most 4 parts of progress to a dropped connection. hash-wasm in the worker (its own ' +
    "CSP with 'wasm-unsafe-eval') would roughly double the MD5 rate (prototype measurement), not done here.",
  memory:
    'When the JS heap used after a full GC (row below) is flat, as it has been in every run here, this is V8 ' +
    'resizing its heap, not a leak. Under this load V8 keeps 70–100 MB of heap for about 26 MB in use and grows ' +
    'or shrinks it from moment to moment; in a longer probe (10 000-request chunks, a GC after each) RSS after GC ' +
    'went 191 → 179 → 170 → 184 → 179 → 178 MB with the heap used at 25–26 MB throughout. With one reading per ' +
    'side the ratio ranged 0.94×–1.25× over nine full runs here, hence the medians; they still move. If the RSS ' +
    'figure itself matters, cap the heap (`--max-semi-space-size`, `--max-old-space-size`); the heap row is the ' +
    'leak check.',
};

export function rows(
  signing: SigningReport,
  http: HttpReport,
  cold: ColdStartReport,
  memory: MemoryReport,
  instances: InstancesReport,
  plan: Plan,
): Row[] {
  const oursRps = median(http.rounds.map((r) => r.ours.rps));
  const bareRps = median(http.rounds.map((r) => r.bare.rps));
  const oursP99 = median(http.rounds.map((r) => r.ours.p99));
  const bareP99 = median(http.rounds.map((r) => r.bare.p99));
  const oursCpu = median(http.rounds.map((r) => r.ours.cpuMs));
  const bareCpu = median(http.rounds.map((r) => r.bare.cpuMs));
  const oursCold = median(cold.ours);
  const bareCold = median(cold.bare);
  const httpInvalid = http.problems.length > 0 ? 'see problems' : undefined;
  const memoryInvalid = memory.problems.length > 0 ? 'see problems' : undefined;
  const perRounds = `median of ${plan.rounds}`;
  // The issue's rows first (#14: cold start, CPU per request, throughput, p99, p99 at an equal rate), then the rest.
  return [
    {
      id: 'cold-start',
      metric: `Cold start to first reply (ms, median of ${plan.coldStarts})`,
      ours: oursCold.toFixed(0),
      baseline: `${bareCold.toFixed(0)} (bare Bolt)`,
      ratio: oursCold / bareCold,
      target: { atMost: 1.25 },
    },
    {
      id: 'http-cpu',
      metric: `Server CPU per request, ${plan.connections} conn (ms, ${perRounds})`,
      ours: oursCpu.toFixed(3),
      baseline: `${bareCpu.toFixed(3)} (bare Bolt)`,
      ratio: oursCpu / bareCpu,
      target: { atMost: 2.5 },
      invalid: httpInvalid,
    },
    {
      id: 'http-throughput',
      metric: `HTTP throughput, ${plan.connections} conn (req/s, ${perRounds})`,
      ours: oursRps.toFixed(0),
      baseline: `${bareRps.toFixed(0)} (bare Bolt)`,
      ratio: oursRps / bareRps,
      target: { atLeast: 0.4 },
      invalid: httpInvalid,
    },
    {
      id: 'http-p99',
      metric: `HTTP p99 latency, ${plan.connections} conn (ms, ${perRounds})`,
      ours: oursP99.toFixed(0),
      baseline: `${bareP99.toFixed(0)} (bare Bolt)`,
      ratio: oursP99 / bareP99,
      target: { atMost: 2 },
      invalid: httpInvalid,
    },
    {
      id: 'http-p99-rate',
      metric: `HTTP p99 latency, ${http.atRate.rate} req/s paced over ${http.atRate.connections} conn (ms)`,
      ours: http.atRate.ours.toFixed(0),
      baseline: `${http.atRate.bare.toFixed(0)} (bare Bolt)`,
      ratio: http.atRate.ours / http.atRate.bare,
      target: { atMost: 1.5 },
      invalid: httpInvalid,
    },
    ...instances.rows,
    ...signing.rows,
    {
      id: 'memory',
      metric: `RSS after ${memory.requests} more requests (MB, median of ${memory.after.readings.length})`,
      ours: mb(memory.after.rssBytes),
      baseline: `${mb(memory.warm.rssBytes)} (after warm-up)`,
      ratio: memory.after.rssBytes / memory.warm.rssBytes,
      target: { atMost: 1.1 },
      invalid: memoryInvalid,
    },
    {
      id: 'memory-gc',
      metric: 'RSS after a full GC (MB)',
      ours: mb(memory.after.gcRssBytes),
      baseline: `${mb(memory.warm.gcRssBytes)} (after warm-up + GC)`,
      ratio: memory.after.gcRssBytes / memory.warm.gcRssBytes,
      target: undefined,
    },
    {
      id: 'memory-heap',
      metric: 'JS heap used after a full GC (MB)',
      ours: mb(memory.after.gcHeapUsedBytes),
      baseline: `${mb(memory.warm.gcHeapUsedBytes)} (after warm-up + GC)`,
      ratio: memory.after.gcHeapUsedBytes / memory.warm.gcHeapUsedBytes,
      target: undefined,
    },
  ];
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const ram = (totalmem() / 1024 ** 3).toFixed(1);
  return `${cpu}, ${availableParallelism()} cores, ${ram} GiB RAM, Node ${process.version}, ${platform()} ${release()}`;
}

export function resultsMarkdown(
  table: string,
  allRows: readonly Row[],
  details: string[],
  problems: readonly string[],
  plan: Plan,
  load: { readonly start: number; readonly end: number },
): string {
  const unmet = allRows.filter((row) => isMet(row) === false);
  return [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, by \`npm run bench\` (${plan.name} run). ` +
      `Load average (1 min) at the start ${load.start.toFixed(1)}, at the end ${load.end.toFixed(1)}.`,
    '',
    'Ratios are ours ÷ baseline, measured side by side in this one run; absolute numbers vary between runs on this',
    'shared 2-core machine and are not comparable across runs.',
    '',
    table,
    '',
    ...(unmet.length === 0
      ? ['Every target is met.']
      : [
          '## What limits the unmet targets',
          '',
          ...unmet.map((row) => `- **${row.metric}**: ${LIMITS[row.id] ?? 'not analysed yet; see the details below.'}`),
        ]),
    '',
    ...(problems.length === 0 ? [] : ['## Problems seen during the run', '', ...problems.map((p) => `- ${p}`), '']),
    '## Details',
    '',
    ...details.map((d) => `- ${d}`),
    '',
    '## How it was measured',
    '',
    '- **Signing**: bench/signing.ts, one process, after warm-up; see that file for the variants.',
    '- **HTTP**: `node dist/server.js` (built by this run) and bench/bare-bolt.ts ' +
      `(the same Bolt ${installedVersion('@slack/bolt')}, ` +
      'HTTPReceiver, signing secret and App options, whose `/upload-link` listener only acks), each its own child ' +
      'process. Ours is configured by env against a local verifying S3 server (@20minutes/s3rver), the fake Slack ' +
      'Web API and a fresh SQLite database, LOG_LEVEL=warn, with the requesting user in ALLOWED_USER_IDS so every ' +
      'request runs the access check and the audit write against the real store. One URL is uploaded to before the ' +
      `load to prove the links work. \`/upload-link ${COMMAND_TEXT}\` is signed as Slack signs it and sent by ` +
      `autocannon (programmatic) at ${plan.connections} connections for ${plan.loadSeconds} s after a ` +
      `${plan.warmUpSeconds} s warm-up, ours and bare alternating over ${plan.rounds} round(s); ` +
      'every reply is checked ' +
      '(200, and for ours a signed URL) and the audit rows are counted against the replies.',
    '- **Latency at an equal rate**: after the rounds, both get the same offered load (a quarter of what ours ' +
      `sustained) for ${plan.rateSeconds} s each, paced by autocannon's \`overallRate\` over ` +
      `${plan.rateConnections} connections (latencies corrected for coordinated omission). Paced connections fire ` +
      'in step, so 50 of them would send bursts of 50 and measure queueing again.',
    '- **Server CPU per request**: user + system time of the server process (/proc/<pid>/stat) over the measured ' +
      'run, divided by its replies: what one request costs. Other load on the machine inflates it too (by 2–4× in ' +
      'busy runs here), but for both sides alike: read the ratio.',
    '- **autocannon runs in the benchmark process, on the same 2 cores as the server under test** (as do other ' +
      "sessions' processes: see the load average above). The client's CPU grows with the request rate, so it caps " +
      'the faster server (bare Bolt) more than ours: the throughput ratios flatter ours somewhat.',
    "- **Partner page upload** (bench/upload.ts): a Ceph RGW cluster of its own on loopback (the tests' harness), " +
      'the bot (in-process) with PUBLIC_URL against it, headless Chromium on the page: from the click on Upload to ' +
      "the page's done state (MD5 of every part, signing, parts, completion, HeadObject), against `curl " +
      "--upload-file` of the same file through the reply's raw URL (one PUT, no MD5), alternating, each object " +
      'deleted and garbage-collected before the next. 768 MiB, not 1 GiB: the harness keeps objects in 1 GiB of ' +
      'memory, which a 1 GiB object cannot fit in.',
    '- **Cold start**: from spawning `node <script>` to the first 200 (ours: with a URL) to a signed command, polled ' +
      `every 5 ms on fresh connections; median of ${plan.coldStarts}, alternating. Ours includes auth.test against ` +
      "the fake Slack API, the AWS credential warm-up, the signing fast path's self-check and opening the (already " +
      'migrated) SQLite store.',
    `- **Memory**: a fresh ours process gets ${plan.memoryWarmUpRequests} requests to warm up (enough for V8 to ` +
      'grow its heap to the size this load keeps it at). Then VmRSS is read from /proc/<pid>/status after each of ' +
      `${plan.memoryReadings} runs of ${plan.memoryReadingRequests} requests, then ${plan.memoryRequests} more ` +
      'requests go through, then the same readings again: each side is the median of its readings (RSS moves by ' +
      'tens of MB from moment to moment under load). After each set a full GC runs in the server (`--expose-gc`; ' +
      'a preloaded one-liner runs `gc()` on SIGUSR2 and prints `process.memoryUsage()`), giving RSS and JS heap ' +
      'used after GC: a leak shows as heap growth.',
    '',
  ].join('\n');
}

/** The installed version of a package, for the record. */
function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  return (manifest as { version: string }).version;
}

/** The lines under "Details" in bench/RESULTS.md: every round and run behind the medians. */
export function detailLines(
  signing: SigningReport,
  http: HttpReport,
  cold: ColdStartReport,
  memory: MemoryReport,
  runSeconds: number,
): string[] {
  const lines = [
    ...signing.details,
    `HTTP rounds, ours vs bare: ${http.rounds
      .map(
        (r, i) =>
          `#${i + 1} ${r.ours.rps.toFixed(0)} vs ${r.bare.rps.toFixed(0)} req/s, ` +
          `p99 ${r.ours.p99} vs ${r.bare.p99} ms, ` +
          `CPU ${r.ours.cpuMs.toFixed(3)} vs ${r.bare.cpuMs.toFixed(3)} ms/request`,
      )
      .join('; ')}`,
    `Cold starts (ms), ours: ${cold.ours.map((t) => t.toFixed(0)).join(', ')}; ` +
      `bare: ${cold.bare.map((t) => t.toFixed(0)).join(', ')}`,
    `Where ours's cold start goes (ms, medians of ${cold.ours.length} starts of their own, marked by a preloaded ` +
      `one-liner): ${(Object.keys(PHASES) as Phase[]).map((phase) => `${PHASES[phase]}: ${cold.phases[phase].toFixed(0)}`).join('; ')}`,
    `Memory (MB), after warm-up → after ${memory.requests} more requests: RSS readings ` +
      `${memory.warm.readings.map(mb).join(', ')} → ${memory.after.readings.map(mb).join(', ')}; after a full GC, ` +
      `RSS ${mb(memory.warm.gcRssBytes)} → ${mb(memory.after.gcRssBytes)} ` +
      `and JS heap used ${mb(memory.warm.gcHeapUsedBytes)} → ${mb(memory.after.gcHeapUsedBytes)}`,
    `Whole run: ${runSeconds.toFixed(0)} s`,
  ];
  if (http.infoLines > 0) {
    lines.push(
      `Ours wrote ${http.infoLines} INFO/DEBUG lines under load although LOG_LEVEL=warn, and they are measured ` +
        "here: check that src/app.ts passes LOG_LEVEL to Bolt (Bolt's App sets the logger it is given to its own " +
        '`logLevel` option, INFO when none is passed).',
    );
  }
  return lines;
}
