/**
 * Requests signed exactly as Slack signs them: HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing secret.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface CommandFields {
  readonly text: string;
  readonly user_id?: string;
  readonly user_name?: string;
  readonly channel_id?: string;
  readonly channel_name?: string;
  readonly command?: string;
}

let interactions = 0;
/** Slack gives every invocation its own trigger id (so no two genuine requests are ever the same bytes). */
export const freshTriggerId = (): string =>
  `${Date.now()}.${++interactions}.${Math.random().toString(16).slice(2, 10)}`;

/** The form body Slack posts for a slash command. */
export function commandBody(fields: CommandFields): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'example',
    channel_id: fields.channel_id ?? 'C0ACME',
    channel_name: fields.channel_name ?? 'acme',
    user_id: fields.user_id ?? 'U0ALICE',
    user_name: fields.user_name ?? 'alice',
    command: fields.command ?? '/upload-link',
    text: fields.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0TEAM/1/abc',
    trigger_id: freshTriggerId(),
  }).toString();
}

export interface SignedPost {
  readonly status: number;
  readonly body: string;
  /** The parsed JSON reply, when there is one. */
  readonly json: Record<string, unknown> | undefined;
}

export interface PostOptions {
  /** Seconds since the epoch to sign with; now by default. */
  readonly timestamp?: number;
  /** Override the signature header (forgery tests); `null` omits it. */
  readonly signature?: string | null;
  readonly contentType?: string;
}

export async function postSigned(
  url: string,
  secret: string,
  body: string,
  options: PostOptions = {},
): Promise<SignedPost> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
  };
  const signature = options.signature === undefined ? slackSignature(secret, timestamp, body) : options.signature;
  if (signature !== null) headers['x-slack-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, body: text, json };
}
