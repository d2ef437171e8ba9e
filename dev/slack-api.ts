/**
 * A local stand-in for Slack's Web API, the one part of the system out of our reach. The WebClient is pointed at it
 * with `slackApiUrl`. Every call is recorded; answers come from per-method handlers (auth.test answers by default).
 *
 * The tests use it (through test/support/slack-api.ts) and so does the playground, which also answers the
 * `response_url` posts Slack would receive (`respond/*`) and listens to every call to show it in its console.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  readonly method: string;
  readonly token: string | undefined;
  readonly args: Record<string, unknown>;
}

/** `method` is the path called, which tells `respond/*` handlers which response_url was used. */
export type MethodHandler = (args: Record<string, unknown>, method: string) => Record<string, unknown>;

export interface FakeSlackApi {
  /** Base URL to give as SLACK_API_URL / slackApiUrl (ends in `/`). */
  readonly url: string;
  readonly calls: RecordedCall[];
  /**
   * Answer `method` with `handler`. A method ending in `/*` answers every path under it (`respond/*` answers
   * `respond/T0TEAM/1/abc`); an exact match wins over it.
   */
  handle(method: string, handler: MethodHandler): void;
  /** Called with every call once it is recorded and answered; returns a function that stops listening. */
  onCall(listener: (call: RecordedCall, answer: Record<string, unknown>) => void): () => void;
  /**
   * The first call to `method` at or after index `after` in `calls` that `match` accepts, waiting for it (calls made
   * after a request was acknowledged, like views.publish, arrive later); rejects after `timeoutMs`.
   */
  waitForCall(method: string, options?: WaitForCallOptions): Promise<RecordedCall>;
  close(): Promise<void>;
}

export interface WaitForCallOptions {
  readonly after?: number;
  readonly match?: (call: RecordedCall) => boolean;
  readonly timeoutMs?: number;
}

export interface FakeSlackApiOptions {
  /** Port to listen on (on 127.0.0.1); 0, the default, for any free one. */
  readonly port?: number;
}

export const FAKE_BOT = { botId: 'B0BOT', botUserId: 'U0BOT', teamId: 'T0TEAM' } as const;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) return raw === '' ? {} : JSON.parse(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The WebClient sends nested values (blocks, view) as JSON strings in form bodies.
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const listeners = new Set<(call: RecordedCall, answer: Record<string, unknown>) => void>();
  const handlers = new Map<string, MethodHandler>([
    [
      'auth.test',
      () => ({
        ok: true,
        url: 'https://example.slack.com/',
        team: 'Example',
        user: 'upload-link',
        team_id: FAKE_BOT.teamId,
        user_id: FAKE_BOT.botUserId,
        bot_id: FAKE_BOT.botId,
      }),
    ],
  ]);
  const handlerFor = (method: string): MethodHandler | undefined => {
    const exact = handlers.get(method);
    if (exact !== undefined) return exact;
    const slash = method.indexOf('/');
    return slash === -1 ? undefined : handlers.get(`${method.slice(0, slash)}/*`);
  };
  const server = createServer(async (req, res) => {
    const method =
      (req.url ?? '')
        .replace(/^\/api\//, '')
        .replace(/^\//, '')
        .split('?')[0] ?? '';
    let body: Record<string, unknown>;
    let call: RecordedCall | undefined;
    try {
      const args = await readBody(req);
      const auth = req.headers.authorization;
      call = { method, token: auth?.replace(/^Bearer /, ''), args };
      calls.push(call);
      const handler = handlerFor(method);
      body = handler ? handler(args, method) : { ok: false, error: 'unknown_method' };
    } catch (error) {
      body = { ok: false, error: 'invalid_request', detail: (error as Error).message };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    if (call !== undefined) for (const listener of listeners) listener(call, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    handle: (method, handler) => handlers.set(method, handler),
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async waitForCall(method, { after = 0, match = () => true, timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.slice(after).find((call) => call.method === method && match(call));
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = calls.slice(after).map((call) => call.method);
          throw new Error(
            `no matching ${method} call within ${timeoutMs} ms; calls seen: ${seen.join(', ') || 'none'}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
