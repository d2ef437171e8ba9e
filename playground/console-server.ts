/**
 * The console: a page that plays Slack, and the routes behind it. Whatever the page does as a person (a slash
 * command, a button, opening the Home tab, submitting a modal) becomes the request Slack would send, signed with the
 * bot's signing secret and posted to the bot's one endpoint; the bot's answers come back through the Slack stand-in
 * and reach the page as server-sent events.
 *
 *   GET  /                      the console
 *   GET  /assets/*              its script (console/src/, bundled by esbuild) and stylesheet
 *   GET  /api/state             everything shown so far
 *   GET  /api/events            server-sent events: new messages, Home views, modals, log lines, bucket changes
 *   POST /api/command           { user, channel, text }
 *   POST /api/message-action    { user, entry, blockId, actionId }
 *   POST /api/home-opened       { user }
 *   POST /api/view-action       { user, blockId, actionId, values }
 *   POST /api/view-submit       { user, values }
 *   POST /api/view-close        { user }
 *   GET  /api/objects           the bucket's objects
 *   GET  /api/object?key=…      one object's bytes
 *
 * The JSON of these routes and events is typed in console-api.ts, which the page's TypeScript imports too.
 *
 * It listens on loopback only, accepts only JSON posts (a cross-site form cannot send one without a preflight this
 * server never answers) and only its own Host, so other sites and DNS rebinding cannot drive it.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { EmbeddedS3 } from '../dev/s3.js';
import type { PostRoutes, StateResponse, StateValues, WorkspaceEvent } from './console-api.js';
import { channelById, dmChannel, type Person, personById } from './directory.js';
import {
  appHomeOpenedBody,
  type BotReply,
  commandBody,
  messageActionBody,
  newTriggerId,
  postToBot,
  viewActionBody,
  viewSubmissionBody,
} from './slack-requests.js';
import { escapeCommandText } from './slack-text.js';
import { type Workspace, withBlockIds } from './workspace.js';

export const COMMAND = '/upload-link';

/** The console's own files, under the directory createConsoleServer is given. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};
const SCRIPT = '/assets/console.js';
const SCRIPT_TYPE = 'text/javascript; charset=utf-8';

/**
 * The page's script: src/console.ts under `directory` and what it imports, bundled for the browser in memory. Its
 * imports of ../console-api.ts and ../directory.ts are of types only (erased), so no Node code comes along.
 */
export async function bundleConsole(directory: string): Promise<{ readonly code: string; readonly ms: number }> {
  const started = performance.now();
  const result = await build({
    entryPoints: [join(directory, 'src', 'console.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2023',
    charset: 'utf8',
    // For the browser's developer tools; the page's CSP does not stop source maps.
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no bundle');
  return { code: output.text, ms: Math.round(performance.now() - started) };
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // Raw URL uploads go straight from the page to the embedded S3.
  'connect-src *',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleDeps {
  readonly workspace: Workspace;
  /** The embedded S3, once started. */
  readonly s3: () => EmbeddedS3 | undefined;
  /** The bot's Slack endpoint and signing secret, known once the bot is built. */
  readonly bot: () => { readonly url: string; readonly endpoint: string; readonly signingSecret: string } | undefined;
  readonly slackApiUrl: string;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new RequestError(415, 'send JSON');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new RequestError(413, 'too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new RequestError(400, 'invalid JSON');
  }
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function personOf(body: Record<string, unknown>): Person {
  const person = personById(str(body.user));
  if (person === undefined) throw new RequestError(400, 'unknown user');
  return person;
}

/** State values come from the page: keep only the shape Slack sends (block → action → object). */
function stateValues(value: unknown): StateValues {
  const values: StateValues = {};
  if (value === null || typeof value !== 'object') return values;
  for (const [blockId, actions] of Object.entries(value)) {
    if (actions === null || typeof actions !== 'object') continue;
    values[blockId] = {};
    for (const [actionId, state] of Object.entries(actions)) {
      if (state !== null && typeof state === 'object') (values[blockId] as Record<string, unknown>)[actionId] = state;
    }
  }
  return values;
}

interface Button {
  readonly type: 'button';
  readonly action_id: string;
  readonly value?: string;
  readonly text?: unknown;
  readonly style?: string;
}

/** The button with this action id in this block, as the bot sent it: the page only says which one was pressed. */
function findButton(blocks: unknown, blockId: string, actionId: string): Button | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as Record<string, unknown>[]) {
    if (block?.block_id !== blockId) continue;
    const candidates = [block.accessory, ...(Array.isArray(block.elements) ? block.elements : [])];
    for (const element of candidates as (Record<string, unknown> | undefined)[]) {
      if (element?.type === 'button' && element.action_id === actionId) return element as unknown as Button;
    }
  }
  return undefined;
}

/** What Slack shows when a bot does not answer a slash command properly. */
function slackErrorFor(reply: BotReply | Error): string | undefined {
  if (reply instanceof Error) {
    return reply.name === 'TimeoutError'
      ? `${COMMAND} failed with the error "operation_timeout"`
      : `${COMMAND} failed with the error "dispatch_failed" (${reply.message})`;
  }
  if (reply.status !== 200) return `${COMMAND} failed with the error "dispatch_failed" (HTTP ${reply.status})`;
  return undefined;
}

export function createConsoleServer(
  deps: ConsoleDeps,
  directory: string,
): { server: Server; setOrigin(origin: string): void } {
  const { workspace } = deps;
  const allowedHosts = new Set<string>();
  const assetCache = new Map<string, string>();
  // Bundled once, from now (while the rest of the playground starts); the first request for it waits if need be.
  const script = bundleConsole(directory).then(
    ({ code, ms }) => {
      workspace.log(`[playground] console script bundled in ${ms} ms`);
      return code;
    },
    (error: Error) => {
      workspace.log(`[playground] could not bundle the console script: ${error.message}`);
      throw error;
    },
  );
  // Served (and failing) on request; not an unhandled rejection meanwhile.
  script.catch(() => {});

  const s3 = () => {
    const started = deps.s3();
    if (started === undefined) throw new RequestError(503, 'S3 is still starting');
    return started;
  };

  const bot = () => {
    const target = deps.bot();
    if (target === undefined) throw new RequestError(503, 'the bot is still starting');
    return target;
  };

  async function file(name: string): Promise<string> {
    const cached = assetCache.get(name);
    if (cached !== undefined) return cached;
    const text = await readFile(join(directory, name), 'utf8');
    assetCache.set(name, text);
    return text;
  }

  type Answer<P extends keyof PostRoutes> = Promise<PostRoutes[P]['response']>;

  async function command(body: Record<string, unknown>): Answer<'/api/command'> {
    const person = personOf(body);
    const channel = channelById(str(body.channel));
    if (channel === undefined) throw new RequestError(400, 'unknown channel');
    const typed = str(body.text).trim();
    const match = /^\/upload-link(?:\s+|$)/.exec(typed);
    if (match === null) throw new RequestError(400, `Only ${COMMAND} commands reach this bot`);
    const sent = escapeCommandText(typed.slice(match[0].length).trim());
    const { endpoint, signingSecret } = bot();
    workspace.add({ kind: 'command', channel: channel.id, user: person.id, typed, sent });
    const responseUrl = workspace.responseUrl(person.id, channel.id);
    const payload = commandBody({
      person,
      channel,
      command: COMMAND,
      text: sent,
      responseUrl,
      triggerId: workspace.trigger(person.id, newTriggerId()),
    });
    const reply = await postToBot(endpoint, signingSecret, payload, 'application/x-www-form-urlencoded').catch(
      (error: Error) => error,
    );
    const problem = slackErrorFor(reply);
    if (problem !== undefined || reply instanceof Error) {
      workspace.add({ kind: 'slack-error', channel: channel.id, user: person.id, text: problem ?? 'failed' });
      return { ok: false };
    }
    // An empty 200 is a plain ack: nothing to show (the bot may still answer through response_url).
    if (reply.json !== undefined) {
      const inChannel = reply.json.response_type === 'in_channel';
      workspace.add({
        kind: inChannel ? 'message' : 'ephemeral',
        channel: channel.id,
        user: inChannel ? undefined : person.id,
        message: {
          ...(typeof reply.json.text === 'string' ? { text: reply.json.text } : {}),
          ...(Array.isArray(reply.json.blocks) ? { blocks: withBlockIds(reply.json.blocks) } : {}),
        },
        via: 'reply',
      });
    }
    return { ok: true, ms: reply.ms };
  }

  async function messageAction(body: Record<string, unknown>): Answer<'/api/message-action'> {
    const person = personOf(body);
    const entry = workspace.entry(Number(body.entry));
    if (entry === undefined || (entry.kind !== 'ephemeral' && entry.kind !== 'message')) {
      throw new RequestError(404, 'that message is gone');
    }
    if (entry.kind === 'ephemeral' && entry.user !== person.id) throw new RequestError(403, 'not your message');
    const channel = channelById(entry.channel);
    const button = findButton(entry.message.blocks, str(body.blockId), str(body.actionId));
    if (channel === undefined || button === undefined) throw new RequestError(404, 'no such button');
    const { endpoint, signingSecret } = bot();
    const reply = await postToBot(
      endpoint,
      signingSecret,
      messageActionBody({
        person,
        channel,
        action: { ...button, block_id: str(body.blockId) },
        messageTs: entry.ts,
        responseUrl: workspace.responseUrl(person.id, channel.id, entry.id),
        triggerId: workspace.trigger(person.id, newTriggerId()),
      }),
      'application/x-www-form-urlencoded',
    );
    return { ok: reply.status === 200, status: reply.status };
  }

  async function homeOpened(body: Record<string, unknown>): Answer<'/api/home-opened'> {
    const person = personOf(body);
    const { endpoint, signingSecret } = bot();
    const reply = await postToBot(
      endpoint,
      signingSecret,
      appHomeOpenedBody({ person, dmChannelId: dmChannel(person).id }),
      'application/json',
    );
    return { ok: reply.status === 200, status: reply.status };
  }

  async function viewAction(body: Record<string, unknown>): Answer<'/api/view-action'> {
    const person = personOf(body);
    const home = workspace.homes.get(person.id);
    if (home === undefined) throw new RequestError(404, 'no Home view for this person yet');
    const button = findButton(home.view.blocks, str(body.blockId), str(body.actionId));
    if (button === undefined) throw new RequestError(404, 'no such button');
    const { endpoint, signingSecret } = bot();
    const reply = await postToBot(
      endpoint,
      signingSecret,
      viewActionBody({
        person,
        view: home.view,
        viewId: home.viewId,
        values: stateValues(body.values),
        action: { ...button, block_id: str(body.blockId) },
        triggerId: workspace.trigger(person.id, newTriggerId()),
      }),
      'application/x-www-form-urlencoded',
    );
    return { ok: reply.status === 200, status: reply.status };
  }

  async function viewSubmit(body: Record<string, unknown>): Answer<'/api/view-submit'> {
    const person = personOf(body);
    const modal = workspace.modals.get(person.id);
    if (modal === undefined) throw new RequestError(404, 'no open modal');
    const { endpoint, signingSecret } = bot();
    const reply = await postToBot(
      endpoint,
      signingSecret,
      viewSubmissionBody({
        person,
        view: modal.view,
        viewId: modal.viewId,
        values: stateValues(body.values),
        triggerId: workspace.trigger(person.id, newTriggerId()),
      }),
      'application/x-www-form-urlencoded',
    );
    if (reply.status !== 200) return { ok: false, status: reply.status };
    // https://docs.slack.dev/surfaces/modals#displaying_errors
    if (reply.json?.response_action === 'errors') {
      // Passed on as the bot sent them (block id → message); the page shows each as text.
      return { ok: false, errors: (reply.json.errors ?? {}) as Record<string, unknown> };
    }
    closeModal(person.id);
    return { ok: true };
  }

  function closeModal(user: string) {
    if (workspace.modals.delete(user)) workspace.emit({ type: 'modal', user, modal: null });
  }

  function events(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    const send = (event: WorkspaceEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const unsubscribe = workspace.subscribe(send);
    const unwatch = deps.s3()?.onChange(() => send({ type: 'bucket' })) ?? (() => {});
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      unwatch();
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? '')) throw new RequestError(421, 'unexpected Host');
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const method = req.method ?? 'GET';
    const static_ = FILES[url.pathname];
    if (method === 'GET' && (static_ !== undefined || url.pathname === SCRIPT)) {
      const body = static_ === undefined ? await script : await file(static_.file);
      res.writeHead(200, {
        'content-type': static_?.type ?? SCRIPT_TYPE,
        'cache-control': 'no-store',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(body);
      return;
    }
    if (method === 'GET' && url.pathname === '/api/state') {
      const target = deps.bot();
      const state: StateResponse = {
        ...workspace.snapshot(),
        ready: target !== undefined,
        s3: target === undefined ? undefined : { endpoint: s3().endpoint, bucket: s3().bucket },
        urls: target === undefined ? undefined : { bot: target.url, s3: s3().endpoint, slack: deps.slackApiUrl },
      };
      return sendJson(res, 200, state);
    }
    if (method === 'GET' && url.pathname === '/api/events') return events(req, res);
    if (method === 'GET' && url.pathname === '/api/objects') return sendJson(res, 200, await s3().listObjects());
    if (method === 'GET' && url.pathname === '/api/object') {
      const key = url.searchParams.get('key') ?? '';
      const object = key === '' ? undefined : await s3().getObject(key);
      if (object === undefined) throw new RequestError(404, 'no such object');
      const name = key.split('/').at(-1) ?? 'file';
      res.writeHead(200, {
        // Served as a download, never rendered on this origin.
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(object.body);
      return;
    }
    if (method === 'POST') {
      const handlers: { [P in keyof PostRoutes]: (body: Record<string, unknown>) => Answer<P> } = {
        '/api/command': command,
        '/api/message-action': messageAction,
        '/api/home-opened': homeOpened,
        '/api/view-action': viewAction,
        '/api/view-submit': viewSubmit,
        '/api/view-close': async (body) => {
          closeModal(personOf(body).id);
          return { ok: true };
        },
      };
      const handler = Object.hasOwn(handlers, url.pathname) ? handlers[url.pathname as keyof PostRoutes] : undefined;
      if (handler !== undefined) return sendJson(res, 200, await handler(await readJson(req)));
    }
    throw new RequestError(404, 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      if (status === 500) workspace.log(`[playground] console request failed: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) sendJson(res, status, { ok: false, error: (error as Error).message });
      else res.end();
    });
  });
  return {
    server,
    setOrigin(origin) {
      const { port } = new URL(origin);
      allowedHosts.add(`127.0.0.1:${port}`).add(`localhost:${port}`);
    },
  };
}
