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
 * What limits each row, shown under the table in bench/RESULTS.md (unmet targets first). From profiles of the built
 * app under this benchmark's load and of its start (`npx tsx bench/profile.ts`, self time by package); re-check
 * them when the numbers move.
 */
const LIMITS: Record<string, string> = {
  'cold-start':
    'Loading and running the bundle. Before this issue ours loaded ≈ 1,000 files (Kysely alone ≈ 300 ESM files) ' +
    'and awaited auth.test, the credentials and the store one after the other; now dist/main/server.js is one ' +
    'minified bundle (2.4 MB, with Socket Mode and Express, which Bolt loads for every receiver, left out until ' +
    'used) and the three awaits overlap. A profile of the start (`bench/profile.ts --start`) puts ≈ 70 % of its ' +
    "busy time in compiling and running the bundle's top level (V8 compiles ≈ 150 ms of it, then the modules " +
    'run: @smithy/* and the AWS SDK, zod building the config schema, Kysely, Bolt, which bare Bolt also loads), ' +
    "≈ 5 % in GC; the phases in Details show the rest: Node's own start, which both pay, and the first command " +
    '(every code path run for the first time). What is left is mostly code the first command does need (the AWS ' +
    'SDK, zod, Kysely for the migrations); `module.enableCompileCache()` (Node ≥ 22) would save most of the ' +
    'compile, not available on Node 20.',
  'http-cpu':
    'Real work against none: bare Bolt acks an empty 200, ours checks the replay guard (its own HMAC and a claim ' +
    "written to the store), reads the command's context (one query), signs a URL, writes the link and its audit " +
    'event in one transaction before the reply, and sends a Block Kit reply. Kysely, 21 % of ours before (#14), ' +
    'is gone from the hot path (prepared statements on the driver). A profile under this load (`bench/profile.ts`, ' +
    "self time by package, SQLite on the run's disk) puts ≈ 45 % in the SQLite statements, most of it the link " +
    "commit's sync to disk (synchronous=FULL: the audit row is durable before the reply; measured alone, that " +
    "transaction costs ≈ 400 µs of wall and ≈ 230 µs of CPU on this VM's disk against ≈ 70 µs on tmpfs), " +
    '≈ 12 % in Bolt, ≈ 6 % in signing, ≈ 4 % in socket writes. With the file on tmpfs (`--database /dev/shm/…`): ' +
    'SQLite ≈ 25 %, Bolt ≈ 16 %, signing (@smithy/signature-v4, @smithy/core, the presigner) ≈ 9 %, socket ' +
    "writes ≈ 7 %, GC ≈ 5 %, querystring ≈ 3 %; every module of ours under 2.5 %. Bolt's share alone is about " +
    "bare Bolt's whole request, so 2.5× leaves ≈ 1.5 bare requests' worth for everything above: out of reach " +
    'with a durable write per command on this disk. What would narrow it: `synchronous = NORMAL` for the link ' +
    "commit (durable against a crash of the process, not of the machine: a decision for the audit trail's " +
    'owner, not taken here), PostgreSQL (the two-instance row), and fewer allocations in the reply.',
  'http-throughput':
    'The CPU per request above: both servers saturate the 2 cores they share with autocannon (and here with ' +
    'other sessions: see the load average), so throughput is the inverse of CPU per request, and the SQLite ' +
    "commit's sync blocks the event loop while it waits for the disk (better-sqlite3 is synchronous). The " +
    'client costs the faster server more (it sends more), which flatters the ratio somewhat.',
  'http-p99':
    "Queueing, by Little's law: at a fixed 50 connections each sends its next request when the last reply " +
    'arrives, so the mean latency is 50 ÷ throughput and the p99 ratio follows the inverse of the throughput ' +
    "ratio, plus the tail of the disk's sync latency (the commit waits for it while 49 requests queue behind it). " +
    'The paced row shows latency without that queueing.',
  'http-p99-rate':
    "At a quarter of what ours sustains, neither server queues: the p99 is one request's own time plus the " +
    "machine's noise (the other sessions on these 2 cores), a few ms either side; ours's own time includes the " +
    "link commit's sync to disk.",
  instances:
    'The 2 cores. Two instances and PostgreSQL (its backends, one per pool connection) and autocannon all run on ' +
    'the same 2 cores, which one instance already keeps busy: a second instance can only share them, so the ' +
    'ratio shows that nothing in the store serialises the instances (no lock, no shared counter; each claim and ' +
    'link is its own row) rather than how they scale, which needs a machine (or a dyno) per instance. On ' +
    'PostgreSQL each command is three round trips (the claim, the context, the link with its audit event as one ' +
    "statement), and PostgreSQL's own CPU per command comes on top of ours.",
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
  // Every row of the issue's says what limits it, met or not.
  const limitedToo = allRows.filter((row) => isMet(row) !== false && LIMITS[row.id] !== undefined);
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
      ? ['Every target is met.', '']
      : [
          '## What limits the unmet targets',
          '',
          ...unmet.map((row) => `- **${row.metric}**: ${LIMITS[row.id] ?? 'not analysed yet; see the details below.'}`),
          '',
        ]),
    ...(limitedToo.length === 0
      ? []
      : [
          '## What limits the other rows',
          '',
          ...limitedToo.map((row) => `- **${row.metric}**${isMet(row) ? ' (met)' : ''}: ${LIMITS[row.id]}`),
          '',
        ]),
    ...(problems.length === 0 ? [] : ['## Problems seen during the run', '', ...problems.map((p) => `- ${p}`), '']),
    '## Details',
    '',
    ...details.map((d) => `- ${d}`),
    '',
    '## How it was measured',
    '',
    '- **Signing**: bench/signing.ts, one process, after warm-up; see that file for the variants.',
    '- **HTTP**: `node dist/main/server.js` (the bundle this run built) and bench/bare-bolt.ts ' +
      `(the same Bolt ${installedVersion('@slack/bolt')}, ` +
      'HTTPReceiver, signing secret and App options, whose `/upload-link` listener only acks), each its own child ' +
      'process. Ours is configured by env against a local verifying S3 server (@20minutes/s3rver), the fake Slack ' +
      'Web API and a fresh SQLite database, LOG_LEVEL=warn, with the requesting user in ALLOWED_USER_IDS so every ' +
      'request runs the access check and the audit write against the real store. One URL is uploaded to before the ' +
      `load to prove the links work. \`/upload-link ${COMMAND_TEXT}\` is signed as Slack signs it, every request ` +
      'its own (a fresh trigger_id, so a fresh signature: ours refuses a replay, as it must), signed before each ' +
      'run so the client spends no CPU on it while it measures (autocannon `setupRequest` hands them out), to both ' +
      'servers alike; the fake Slack API answers `conversations.info` (the bot is in the channel) and ' +
      '`chat.postMessage`. Sent by ' +
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
      'deleted and garbage-collected before the next; 1 GiB, in parts of 64 MiB.',
    '- **Cold start**: from spawning `node <script>` to the first 200 (ours: with a URL) to a signed command, polled ' +
      `every 5 ms on fresh connections; median of ${plan.coldStarts}, alternating. Ours includes auth.test against ` +
      "the fake Slack API, the AWS credential warm-up, the signing fast path's self-check and opening the (already " +
      'migrated) SQLite store, side by side. Its phases (Details) come from as many starts again, not timed for the ' +
      'row, with a preloaded one-liner that marks when Node has bootstrapped, the first outgoing connection ' +
      '(auth.test), the listen and the first request and reply.',
    "- **Two instances on one PostgreSQL** (bench/instances.ts): a throwaway PostgreSQL 15 cluster of the tests' " +
      'harness (test/support/postgres-cluster.ts: on loopback, fsync off), two of ours on it (the first migrates), ' +
      `the same signed commands at ${plan.connections} connections in all: to one instance, then split 25/25 over ` +
      `both at once, alternating over ${plan.rounds} round(s) after a warm-up each; every reply checked.`,
    '- **Profiles** (the evidence in the notes above): `npx tsx bench/profile.ts` runs ours as here, profiles only ' +
      'the measured load (V8 profiler started and stopped by SIGUSR2 after a warm-up) and prints self time by ' +
      "package, mapped through the bundle's source map; `--database /dev/shm/x.db` puts the SQLite file on tmpfs; " +
      '`--start` profiles a cold start instead.',
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
