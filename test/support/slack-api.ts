/**
 * A local stand-in for Slack's Web API, the one part of the system out of our reach. The WebClient is pointed at it
 * with `slackApiUrl`. Every call is recorded; answers come from per-method handlers (auth.test answers by default).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  readonly method: string;
  readonly token: string | undefined;
  readonly args: Record<string, unknown>;
}

export type MethodHandler = (args: Record<string, unknown>) => Record<string, unknown>;

export interface FakeSlackApi {
  /** Base URL to give as SLACK_API_URL / slackApiUrl (ends in `/`). */
  readonly url: string;
  readonly calls: RecordedCall[];
  handle(method: string, handler: MethodHandler): void;
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

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
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
  const server = createServer(async (req, res) => {
    const method =
      (req.url ?? '')
        .replace(/^\/api\//, '')
        .replace(/^\//, '')
        .split('?')[0] ?? '';
    const args = await readBody(req);
    const auth = req.headers.authorization;
    calls.push({ method, token: auth?.replace(/^Bearer /, ''), args });
    const handler = handlers.get(method);
    const body = handler ? handler(args) : { ok: false, error: 'unknown_method' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    handle: (method, handler) => handlers.set(method, handler),
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
