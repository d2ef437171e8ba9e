/** End to end over HTTP: the same signed commands at the same concurrency against ours and bare Bolt, alternating. */
import { runLoad } from './load.js';
import { cpuSeconds } from './processes.js';
import {
  ACCEPTS,
  type Context,
  checkUploadWorks,
  command,
  issuedLinks,
  type Kind,
  type Started,
  startServer,
} from './servers.js';
import { log, median } from './util.js';

export interface Measured {
  readonly rps: number;
  readonly p99: number;
  /** Server CPU time (user + system) per reply, in ms: what one request costs the server. */
  readonly cpuMs: number;
}

export interface HttpRound {
  readonly ours: Measured;
  readonly bare: Measured;
}

export interface HttpReport {
  readonly rounds: HttpRound[];
  /** p99 of each side at one offered rate both sustain: latency without the queueing a saturated server adds. */
  readonly atRate: {
    readonly rate: number;
    readonly connections: number;
    readonly ours: number;
    readonly bare: number;
  };
  readonly problems: string[];
  /** Lines ours logged below warn although LOG_LEVEL=warn. */
  readonly infoLines: number;
}

export async function benchHttp(ctx: Context): Promise<HttpReport> {
  const { plan } = ctx;
  const ours = await startServer(ctx, 'ours');
  const bare = await startServer(ctx, 'bare');
  const servers: Record<Kind, Started> = { ours, bare };
  const problems: string[] = [];
  const loadOf = (kind: Kind) => ({
    port: servers[kind].port,
    request: command,
    connections: plan.connections,
    verifyBody: ACCEPTS[kind],
  });
  try {
    await checkUploadWorks(ctx, ours.port);
    const rounds: HttpRound[] = [];
    for (let round = 0; round < plan.rounds; round++) {
      // ABA ordering, so a drift in the machine's speed does not always favour the same side.
      const order: Kind[] = round % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
      const measured: Partial<Record<Kind, Measured>> = {};
      for (const kind of order) {
        const label = `${kind}, round ${round + 1}`;
        const warm = await runLoad({ ...loadOf(kind), seconds: plan.warmUpSeconds });
        // Signed ahead: what the warm-up sustained, with room to spare (any more are signed as they go).
        const pool = Math.ceil(warm.requestsPerSecond * 1.5 * plan.loadSeconds) + plan.connections;
        const auditBefore = kind === 'ours' ? issuedLinks(ctx.databasePath) : 0;
        const cpuBefore = await cpuSeconds(servers[kind].server.pid);
        const result = await runLoad({ ...loadOf(kind), seconds: plan.loadSeconds, pool });
        const cpuMs = ((await cpuSeconds(servers[kind].server.pid)) - cpuBefore) * 1000;
        problems.push(...result.problems.map((p) => `${label}: ${p}`));
        if (kind === 'ours') {
          const written = issuedLinks(ctx.databasePath) - auditBefore;
          if (written < result.completed)
            problems.push(`${label}: ${result.completed} links replied, ${written} audited`);
        }
        measured[kind] = { rps: result.requestsPerSecond, p99: result.p99Ms, cpuMs: cpuMs / result.completed };
        log(
          `http round ${round + 1}/${plan.rounds} ${kind}: ${Math.round(result.requestsPerSecond)} req/s, ` +
            `p99 ${result.p99Ms} ms, server CPU ${(cpuMs / result.completed).toFixed(3)} ms/request`,
        );
      }
      const none = { rps: Number.NaN, p99: Number.NaN, cpuMs: Number.NaN };
      rounds.push({ ours: measured.ours ?? none, bare: measured.bare ?? none });
    }

    // A quarter of what ours sustained, offered to both, so each answers requests as they come even when the
    // machine's other load spikes; over few connections (see Plan.rateConnections).
    const rate = Math.max(10, Math.round(median(rounds.map((r) => r.ours.rps)) / 4));
    const atRate = { rate, connections: plan.rateConnections, ours: Number.NaN, bare: Number.NaN };
    for (const kind of ['ours', 'bare'] as const) {
      const paced = {
        ...loadOf(kind),
        connections: plan.rateConnections,
        seconds: plan.rateSeconds,
        overallRate: rate,
      };
      const result = await runLoad(paced);
      problems.push(...result.problems.map((p) => `${kind}, at ${rate} req/s: ${p}`));
      atRate[kind] = result.p99Ms;
      log(`http at ${rate} req/s ${kind}: p99 ${result.p99Ms} ms`);
    }

    const lines = ours.server.output().split('\n');
    const bad = lines.filter((line) => / (WARN|ERROR) /.test(line) || /^\s+at /.test(line));
    if (bad.length > 0)
      problems.push(`ours logged ${bad.length} warning/error lines, e.g.: ${bad.slice(0, 3).join(' / ')}`);
    const infoLines = lines.filter((line) => / (INFO|DEBUG) /.test(line)).length;
    return { rounds, atRate, problems, infoLines };
  } finally {
    await ours.server.stop();
    await bare.server.stop();
  }
}
