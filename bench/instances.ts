/**
 * Several instances: throughput of two of ours on one PostgreSQL against one alone, in the same run, at the same 50
 * connections in all (25 to each of the two). PostgreSQL is a throwaway cluster of the tests' harness
 * (test/support/postgres-cluster.ts: fsync off, as in the tests), on the same 2 cores as the servers and the client.
 */
import { findPostgresBinaries, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { type LoadResult, runLoad } from './load.js';
import { ACCEPTS, type Context, command, type Started, startServer } from './servers.js';
import type { Row } from './table.js';
import { log, median } from './util.js';

export interface InstancesReport {
  readonly rows: Row[];
  readonly details: string[];
  readonly problems: string[];
}

/** The same load split over `servers`, at once: requests per second in all, and every run's problems. */
async function loadAll(ctx: Context, servers: readonly Started[], seconds: number, label: string) {
  const connections = Math.floor(ctx.plan.connections / servers.length);
  const results: LoadResult[] = await Promise.all(
    servers.map((server) =>
      runLoad({ port: server.port, request: command, connections, seconds, verifyBody: ACCEPTS.ours }),
    ),
  );
  return {
    rps: results.reduce((sum, result) => sum + result.requestsPerSecond, 0),
    problems: results.flatMap((result) => result.problems.map((p) => `${label}: ${p}`)),
  };
}

export async function benchInstances(ctx: Context): Promise<InstancesReport> {
  const binaries = findPostgresBinaries();
  if (binaries === undefined) {
    return { rows: [], details: [], problems: ['two-instance row skipped: no PostgreSQL binaries'] };
  }
  const cluster = await startPostgresCluster(binaries);
  const env = { DATABASE_URL: cluster.url, PGSSLMODE: 'disable' };
  const servers: Started[] = [];
  try {
    // The first migrates; the second then finds the schema current, as a second dyno would.
    servers.push(await startServer(ctx, 'ours', [], env));
    servers.push(await startServer(ctx, 'ours', [], env));
    const [first] = servers as [Started, Started];
    const problems: string[] = [];
    const one: number[] = [];
    const two: number[] = [];
    for (let round = 0; round < ctx.plan.rounds; round++) {
      // ABA again: one, then two, then one…
      const order = round % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const);
      for (const side of order) {
        const group = side === 'one' ? [first] : servers;
        await loadAll(ctx, group, ctx.plan.warmUpSeconds, `${side}, warm-up`);
        const measured = await loadAll(ctx, group, ctx.plan.loadSeconds, `${side} instance(s), round ${round + 1}`);
        problems.push(...measured.problems);
        (side === 'one' ? one : two).push(measured.rps);
        log(`postgres round ${round + 1}/${ctx.plan.rounds} ${side}: ${Math.round(measured.rps)} req/s`);
      }
    }
    const oneRps = median(one);
    const twoRps = median(two);
    return {
      rows: [
        {
          id: 'instances',
          metric: `PostgreSQL, 2 instances vs 1, throughput at ${ctx.plan.connections} conn in all (req/s, median of ${ctx.plan.rounds})`,
          ours: twoRps.toFixed(0),
          baseline: `${oneRps.toFixed(0)} (1 instance)`,
          ratio: twoRps / oneRps,
          target: undefined,
          invalid: problems.length > 0 ? 'see problems' : undefined,
        },
      ],
      details: [
        `PostgreSQL rounds (req/s), one instance: ${one.map((r) => r.toFixed(0)).join(', ')}; two instances: ${two.map((r) => r.toFixed(0)).join(', ')}`,
      ],
      problems,
    };
  } finally {
    for (const server of servers) await server.server.stop();
    await cluster.stop();
  }
}
