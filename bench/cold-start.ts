/** Cold start: from spawning the process to its first good reply to a signed command, ours and bare alternating. */
import { type Context, type Kind, startServer } from './servers.js';
import { log, median } from './util.js';

export interface ColdStartReport {
  readonly ours: number[];
  readonly bare: number[];
  /** Where ours's start goes (medians over starts of their own, ms): see PHASES. */
  readonly phases: Record<Phase, number>;
}

/**
 * Preloaded into the starts that measure phases (not into the timed ones): marks, on stderr, when the preload ran
 * (Node bootstrapped), the first outgoing connection (auth.test: the bundle is loaded and the config read), the
 * listen (start-up's awaits done, the app built) and the first request (the client's next poll after it).
 */
const MARK_PHASES = `data:text/javascript,${encodeURIComponent(
  `import net from 'node:net'; import http from 'node:http';
const mark = (name) => process.stderr.write('bench-phase ' + name + ' ' + performance.now().toFixed(1) + '\\n');
mark('preload');
const connect = net.Socket.prototype.connect; let connected = false;
net.Socket.prototype.connect = function (...args) { if (!connected) { connected = true; mark('connect'); } return connect.apply(this, args); };
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) { mark('listen'); return listen.apply(this, args); };
const emit = http.Server.prototype.emit; let requested = false;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request' && !requested) {
    requested = true; mark('request');
    args[1].on('finish', () => mark('replied'));
  }
  return emit.call(this, event, ...args);
};`,
)}`;

export const PHASES = {
  process: 'spawn → Node bootstrapped (process start, Node itself, the preload)',
  load: 'loading the bundle, reading the config, up to auth.test',
  awaits: "start-up's awaits side by side (auth.test, credentials, store open and migrate) and building the app",
  listen: 'listening → the first request (the client polls every 5 ms)',
  reply: 'the first command, answered (first run of each code path)',
} as const;
export type Phase = keyof typeof PHASES;

async function phasesOnce(ctx: Context): Promise<Record<Phase, number>> {
  const started = await startServer(ctx, 'ours', ['--import', MARK_PHASES]);
  await started.server.stop();
  const marks = new Map<string, number>();
  for (const match of started.server.output().matchAll(/^bench-phase (\w+) ([\d.]+)$/gm)) {
    if (!marks.has(match[1] ?? '')) marks.set(match[1] ?? '', Number(match[2]));
  }
  const at = (name: string) => marks.get(name) ?? Number.NaN;
  return {
    process: at('preload'),
    load: at('connect') - at('preload'),
    awaits: at('listen') - at('connect'),
    listen: at('request') - at('listen'),
    reply: at('replied') - at('request'),
  };
}

export async function benchColdStart(ctx: Context): Promise<ColdStartReport> {
  const times = { ours: [] as number[], bare: [] as number[] };
  for (let i = 0; i < ctx.plan.coldStarts; i++) {
    const order: Kind[] = i % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
    for (const kind of order) {
      const started = await startServer(ctx, kind);
      await started.server.stop();
      times[kind].push(started.coldStartMs);
      log(`cold start ${i + 1}/${ctx.plan.coldStarts} ${kind}: ${started.coldStartMs.toFixed(0)} ms`);
    }
  }
  const runs: Record<Phase, number>[] = [];
  for (let i = 0; i < ctx.plan.coldStarts; i++) runs.push(await phasesOnce(ctx));
  const phases = Object.fromEntries(
    (Object.keys(PHASES) as Phase[]).map((phase) => [phase, median(runs.map((run) => run[phase]))]),
  ) as Record<Phase, number>;
  log(`cold start phases (ms): ${JSON.stringify(phases)}`);
  return { ...times, phases };
}
