/** Cold start: from spawning the process to its first good reply to a signed command, ours and bare alternating. */
import { type Context, type Kind, startServer } from './servers.js';
import { log } from './util.js';

export interface ColdStartReport {
  readonly ours: number[];
  readonly bare: number[];
}

export async function benchColdStart(ctx: Context): Promise<ColdStartReport> {
  const times: ColdStartReport = { ours: [], bare: [] };
  for (let i = 0; i < ctx.plan.coldStarts; i++) {
    const order: Kind[] = i % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
    for (const kind of order) {
      const started = await startServer(ctx, kind);
      await started.server.stop();
      times[kind].push(started.coldStartMs);
      log(`cold start ${i + 1}/${ctx.plan.coldStarts} ${kind}: ${started.coldStartMs.toFixed(0)} ms`);
    }
  }
  return times;
}
