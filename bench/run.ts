/**
 * `npm run bench [-- --quick]`: signing throughput, end to end over HTTP against bare Bolt, cold start and memory,
 * each measured side by side in one run and reported as ratios (this machine is noisy; absolute numbers are not
 * comparable between runs). Prints one table and, for a full run, writes it with the machine and date to
 * bench/RESULTS.md. All traffic stays on 127.0.0.1; every run is bounded in count and time.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalS3 } from '../test/support/s3.js';
import { startFakeSlackApi } from '../test/support/slack-api.js';
import { benchColdStart } from './cold-start.js';
import { benchHttp } from './http.js';
import { benchInstances } from './instances.js';
import { benchMemory } from './memory.js';
import { FULL, QUICK } from './plan.js';
import { cleanUp, cleanUpOnSignals, onCleanUp, tempFolder } from './processes.js';
import { detailLines, machine, resultsMarkdown, rows } from './results.js';
import { build, type Context, compileBareBolt, ROOT } from './servers.js';
import { signingRows } from './signing-rows.js';
import { answerCommandCalls } from './slack-calls.js';
import { formatTable } from './table.js';
import { benchPageUpload } from './upload.js';
import { log } from './util.js';

const RESULTS = join(ROOT, 'bench/RESULTS.md');

async function main(): Promise<void> {
  const plan = process.argv.includes('--quick') ? QUICK : FULL;
  cleanUpOnSignals();
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  try {
    log(`${plan.name} run on ${machine()}; load average ${loadAtStart.toFixed(1)}`);
    const work = await tempFolder(tmpdir(), 'upload-link-bench-');
    const logs = await tempFolder(work, 'logs-');
    await build(logs);
    const signing = await signingRows(plan.signingSeconds);
    log(signing.summary);

    const s3 = await startLocalS3();
    onCleanUp(() => s3.close());
    const slack = await startFakeSlackApi();
    onCleanUp(() => slack.close());
    answerCommandCalls(slack);
    const cwd = await tempFolder(work, 'cwd-');
    const ctx: Context = {
      plan,
      s3,
      slack,
      cwd,
      databasePath: join(work, 'upload-link.db'),
      bareScript: await compileBareBolt(),
      logs,
    };

    const http = await benchHttp(ctx);
    const memory = await benchMemory(ctx);
    const cold = await benchColdStart(ctx);
    const instances = await benchInstances(ctx);
    const upload = await benchPageUpload(plan);

    const allRows = [...rows(signing, http, cold, memory, instances, plan), ...upload.rows];
    const table = formatTable(allRows);
    const problems = [...http.problems, ...memory.problems, ...instances.problems, ...upload.problems];
    const details = [
      ...detailLines(signing, http, cold, memory, (performance.now() - started) / 1000),
      ...instances.details,
      ...upload.details,
    ];

    process.stdout.write(`\n${table}\n`);
    for (const problem of problems) process.stdout.write(`problem: ${problem}\n`);
    if (plan.name === 'full') {
      const load = { start: loadAtStart, end: loadavg()[0] ?? Number.NaN };
      await writeFile(RESULTS, resultsMarkdown(table, allRows, details, problems, plan, load));
      log(`wrote ${RESULTS}`);
    } else {
      log('quick run: bench/RESULTS.md not written');
    }
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
