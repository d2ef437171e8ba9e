/**
 * The requests Slack sends a bot, built and signed as Slack builds and signs them, and posted to the bot's one
 * endpoint. Signature: HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing secret.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 * https://docs.slack.dev/interactivity/implementing-slash-commands
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 * https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { StateValues } from './console-api.js';
import { APP_ID, BOT, type Channel, type Person, TEAM } from './directory.js';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface BotReply {
  readonly status: number;
  /** The parsed JSON body, when the bot answered with one. */
  readonly json: Record<string, unknown> | undefined;
  readonly body: string;
  readonly ms: number;
}

/** Slack gives a bot 3 seconds to answer before it shows the user an error. */
export const SLACK_TIMEOUT_MS = 3000;

export async function postToBot(
  endpoint: string,
  secret: string,
  body: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
): Promise<BotReply> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, body: text, ms: Math.round(performance.now() - started) };
}

/** Slack's trigger ids look like `1234.5678.abcdef`; each interaction gets a fresh one. */
export const newTriggerId = (): string =>
  `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(8).toString('hex')}`;

const user = (person: Person) => ({ id: person.id, username: person.handle, name: person.handle, team_id: TEAM.id });
const team = { id: TEAM.id, domain: TEAM.domain };

export interface CommandPayload {
  readonly person: Person;
  readonly channel: Channel;
  readonly command: string;
  /** Already escaped as Slack escapes it (see slack-text.ts). */
  readonly text: string;
  readonly responseUrl: string;
  readonly triggerId: string;
}

/** The form body Slack posts for a slash command. */
export function commandBody(p: CommandPayload): string {
  return new URLSearchParams({
    token: 'playground-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: p.channel.id,
    channel_name: p.channel.name,
    user_id: p.person.id,
    user_name: p.person.handle,
    command: p.command,
    text: p.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: p.responseUrl,
    trigger_id: p.triggerId,
  }).toString();
}

export interface ButtonAction {
  readonly action_id: string;
  readonly block_id: string;
  readonly value?: string;
  readonly text?: unknown;
  readonly style?: string;
}

const buttonAction = (action: ButtonAction) => ({
  type: 'button',
  action_id: action.action_id,
  block_id: action.block_id,
  ...(action.text === undefined ? {} : { text: action.text }),
  ...(action.value === undefined ? {} : { value: action.value }),
  ...(action.style === undefined ? {} : { style: action.style }),
  action_ts: (Date.now() / 1000).toFixed(6),
});

/** A button pressed on a message (an ephemeral reply): Slack posts it as `payload=<json>`. */
export function messageActionBody(p: {
  readonly person: Person;
  readonly channel: Channel;
  readonly action: ButtonAction;
  readonly messageTs: string;
  readonly responseUrl: string;
  readonly triggerId: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: user(p.person),
    api_app_id: APP_ID,
    token: 'playground-verification-token',
    container: { type: 'message', message_ts: p.messageTs, channel_id: p.channel.id, is_ephemeral: true },
    trigger_id: p.triggerId,
    team,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: p.channel.id, name: p.channel.name },
    state: { values: {} },
    response_url: p.responseUrl,
    actions: [buttonAction(p.action)],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A view as Slack sends it back with an interaction: what was published, plus its id and the pickers' state. */
export function viewWithState(view: Record<string, unknown>, viewId: string, values: StateValues) {
  return {
    id: viewId,
    team_id: TEAM.id,
    app_id: APP_ID,
    bot_id: BOT.botId,
    private_metadata: '',
    callback_id: '',
    external_id: '',
    hash: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    ...view,
    state: { values },
  };
}

/** A button pressed on the App Home tab. Home views have no response_url. */
export function viewActionBody(p: {
  readonly person: Person;
  readonly view: Record<string, unknown>;
  readonly viewId: string;
  readonly values: StateValues;
  readonly action: ButtonAction;
  readonly triggerId: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: user(p.person),
    api_app_id: APP_ID,
    token: 'playground-verification-token',
    container: { type: 'view', view_id: p.viewId },
    trigger_id: p.triggerId,
    team,
    enterprise: null,
    is_enterprise_install: false,
    view: viewWithState(p.view, p.viewId, p.values),
    actions: [buttonAction(p.action)],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A modal's Submit button. */
export function viewSubmissionBody(p: {
  readonly person: Person;
  readonly view: Record<string, unknown>;
  readonly viewId: string;
  readonly values: StateValues;
  readonly triggerId: string;
}): string {
  const payload = {
    type: 'view_submission',
    team,
    user: user(p.person),
    api_app_id: APP_ID,
    token: 'playground-verification-token',
    trigger_id: p.triggerId,
    view: viewWithState(p.view, p.viewId, p.values),
    response_urls: [],
    enterprise: null,
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The Events API envelope for `app_home_opened`: JSON, not a form. */
export function appHomeOpenedBody(p: { readonly person: Person; readonly dmChannelId: string }): string {
  const now = Date.now() / 1000;
  return JSON.stringify({
    token: 'playground-verification-token',
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event: {
      type: 'app_home_opened',
      user: p.person.id,
      channel: p.dmChannelId,
      tab: 'home',
      event_ts: now.toFixed(6),
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(now),
    authorizations: [{ team_id: TEAM.id, user_id: BOT.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}
