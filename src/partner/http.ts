/** Small HTTP helpers for the bot's own routes (Bolt custom routes on Node's http server). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CustomRoute, HTTPModuleFunctions, type ReceiverDispatchErrorHandlerArgs } from '@slack/bolt';
import { renderNotFound } from './page.js';

/** The request a custom route receives: Node's, with the path's `:params`. */
export type RouteRequest = Parameters<CustomRoute['handler']>[0];

export const routeParam = (req: RouteRequest, name: string): string | undefined => {
  const value = req.params?.[name];
  return typeof value === 'string' ? value : undefined;
};

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

export const sendJson = (res: ServerResponse, status: number, body: object): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

export const sendHtml = (res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}) =>
  send(res, status, 'text/html; charset=utf-8', html, extra);

/** A small JSON object body, or undefined when it is too large, not JSON, or not an object. */
export async function readJson(req: IncomingMessage, maxBytes = 8192): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bolt's HTTPReceiver decodes route parameters itself, so a malformed escape (`GET /u/%`) throws URIError before any
 * route runs, and its default handler logs that as an unexpected error and answers 500. It is the client's mistake:
 * 404 (the same answer an unknown link gets), logged at debug only. Anything else goes to Bolt's own handler.
 */
export function dispatchErrorHandler(args: ReceiverDispatchErrorHandlerArgs): void {
  if (args.error instanceof URIError) {
    args.logger.debug(`Malformed request path (${args.request.method}), answered 404`);
    sendHtml(args.response, 404, renderNotFound());
    return;
  }
  HTTPModuleFunctions.defaultDispatchErrorHandler(args);
}
