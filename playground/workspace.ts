/**
 * What the console shows, kept the way Slack keeps it: messages per channel (ephemeral ones only for the person who
 * got them), each person's App Home view and open modal, and the bot's log. The Slack stand-in's handlers write
 * here when the bot calls the Web API; the console reads it and hears every change as an event.
 */
import { randomBytes } from 'node:crypto';
import type { FakeSlackApi } from '../dev/slack-api.js';
import type { FeedEntry, SlackMessage, ViewState, WorkspaceEvent, WorkspaceSnapshot } from './console-api.js';
import { BOT, CHANNELS, channelById, dmChannel, GROUPS, groupById, PEOPLE, personById, TEAM } from './directory.js';

/** An entry before the workspace numbers and timestamps it. */
export type NewEntry = DistributiveOmit<FeedEntry, 'id' | 'ts'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface ResponseTarget {
  readonly user: string;
  readonly channel: string;
  /** The message the button was on, for replace_original / delete_original. */
  readonly entryId: number | undefined;
}

const MAX_LOG_LINES = 500;

let tsCounter = 0;
/** Slack message timestamps: seconds.micro, unique per message. */
const messageTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

/** Slack gives every block without a block_id one of its own; buttons send it back. */
export function withBlockIds(blocks: unknown): unknown[] | undefined {
  if (!Array.isArray(blocks)) return undefined;
  return blocks.map((block) =>
    block !== null && typeof block === 'object' && !('block_id' in block)
      ? { ...block, block_id: randomBytes(3).toString('base64url') }
      : block,
  );
}

const messageOf = (args: Record<string, unknown>): SlackMessage => {
  const blocks = withBlockIds(args.blocks);
  return {
    ...(typeof args.text === 'string' ? { text: args.text } : {}),
    ...(blocks === undefined ? {} : { blocks }),
  };
};

export class Workspace {
  readonly feed: FeedEntry[] = [];
  readonly homes = new Map<string, ViewState>();
  readonly modals = new Map<string, ViewState>();
  readonly logs: string[] = [];
  private nextId = 1;
  private readonly listeners = new Set<(event: WorkspaceEvent) => void>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  private readonly triggers = new Map<string, string>();

  constructor(private readonly responseUrlBase: string) {}

  subscribe(listener: (event: WorkspaceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WorkspaceEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  add<E extends NewEntry>(entry: E): E & { readonly id: number; readonly ts: string } {
    const full = { ...entry, id: this.nextId++, ts: messageTs() };
    this.feed.push(full as FeedEntry);
    this.emit({ type: 'entry', entry: full });
    return full;
  }

  private replace(id: number, next: FeedEntry): void {
    const index = this.feed.findIndex((e) => e.id === id);
    if (index === -1) return;
    this.feed[index] = next;
    this.emit({ type: 'entry', entry: next });
  }

  private remove(id: number): void {
    const index = this.feed.findIndex((e) => e.id === id);
    if (index === -1) return;
    this.feed.splice(index, 1);
    this.emit({ type: 'entry-removed', id });
  }

  entry(id: number): FeedEntry | undefined {
    return this.feed.find((e) => e.id === id);
  }

  log(line: string): void {
    this.logs.push(line);
    if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
    this.emit({ type: 'log', line });
  }

  /** A fresh response_url for an interaction by `user` in `channel`; the bot's posts to it land back here. */
  responseUrl(user: string, channel: string, entryId?: number): string {
    const token = randomBytes(12).toString('base64url');
    this.responseTargets.set(token, { user, channel, entryId });
    return `${this.responseUrlBase}respond/${TEAM.id}/${token}`;
  }

  /** A fresh trigger_id for an interaction by `user` (views.open needs one). */
  trigger(user: string, id: string): string {
    this.triggers.set(id, user);
    return id;
  }

  /** A post to a response_url: https://docs.slack.dev/interactivity/handling-user-interaction#message_responses */
  respond(path: string, args: Record<string, unknown>): Record<string, unknown> {
    const token = path.split('/').at(-1) ?? '';
    const target = this.responseTargets.get(token);
    if (target === undefined) return { ok: false, error: 'expired_url' };
    const original = target.entryId === undefined ? undefined : this.entry(target.entryId);
    if (args.delete_original === true || args.delete_original === 'true') {
      if (original !== undefined) this.remove(original.id);
      return { ok: true };
    }
    const inChannel = args.response_type === 'in_channel';
    const message = messageOf(args);
    const replace = args.replace_original === true || args.replace_original === 'true';
    if (replace && original !== undefined && (original.kind === 'ephemeral' || original.kind === 'message')) {
      this.replace(original.id, { ...original, message });
      return { ok: true };
    }
    this.add({
      kind: inChannel ? 'message' : 'ephemeral',
      channel: target.channel,
      user: inChannel ? undefined : target.user,
      message,
      via: 'response_url',
    });
    return { ok: true };
  }

  /** Answer the Web API methods the bot calls, as Slack would for this workspace. */
  installSlackHandlers(slack: FakeSlackApi): void {
    slack.handle('auth.test', () => ({
      ok: true,
      url: `https://${TEAM.domain}.slack.com/`,
      team: TEAM.name,
      user: BOT.name,
      team_id: TEAM.id,
      user_id: BOT.userId,
      bot_id: BOT.botId,
    }));
    slack.handle('usergroups.list', () => ({
      ok: true,
      usergroups: GROUPS.map((g) => ({
        id: g.id,
        team_id: TEAM.id,
        is_usergroup: true,
        name: g.name,
        handle: g.handle,
        description: '',
        user_count: g.members.length,
      })),
    }));
    slack.handle('usergroups.users.list', (args) => {
      const group = groupById(String(args.usergroup ?? ''));
      return group === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: [...group.members] };
    });
    slack.handle('views.publish', (args) => {
      const user = String(args.user_id ?? '');
      const view = args.view;
      if (personById(user) === undefined) return { ok: false, error: 'user_not_found' };
      if (view === null || typeof view !== 'object') return { ok: false, error: 'invalid_arguments' };
      const home: ViewState = {
        viewId: `V0HOME${user.slice(1)}`,
        view: { ...(view as Record<string, unknown>), blocks: withBlockIds((view as { blocks?: unknown }).blocks) },
      };
      this.homes.set(user, home);
      this.emit({ type: 'home', user, home });
      return { ok: true, view: { id: home.viewId, ...home.view } };
    });
    slack.handle('views.open', (args) => {
      const user = this.triggers.get(String(args.trigger_id ?? ''));
      const view = args.view;
      if (user === undefined) return { ok: false, error: 'invalid_trigger_id' };
      if (view === null || typeof view !== 'object') return { ok: false, error: 'invalid_arguments' };
      const modal: ViewState = {
        viewId: `V0MODAL${randomBytes(4).toString('hex').toUpperCase()}`,
        view: { ...(view as Record<string, unknown>), blocks: withBlockIds((view as { blocks?: unknown }).blocks) },
      };
      this.modals.set(user, modal);
      this.emit({ type: 'modal', user, modal });
      return { ok: true, view: { id: modal.viewId, ...modal.view } };
    });
    slack.handle('chat.postMessage', (args) => {
      const channel = channelById(String(args.channel ?? ''));
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      if (!channel.botIsMember) return { ok: false, error: 'not_in_channel' };
      const entry = this.add({
        kind: 'message',
        channel: channel.id,
        user: undefined,
        message: messageOf(args),
        via: 'chat.postMessage',
      });
      return { ok: true, channel: channel.id, ts: entry.ts, message: { ...entry.message, user: BOT.userId } };
    });
    slack.handle('conversations.info', (args) => {
      const channel = channelById(String(args.channel ?? ''));
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      return { ok: true, channel: { id: channel.id, name: channel.name, is_member: channel.botIsMember } };
    });
    slack.handle('conversations.open', (args) => {
      const users = String(args.users ?? '').split(',');
      const person = users.length === 1 ? personById(users[0] ?? '') : undefined;
      if (person === undefined) return { ok: false, error: 'user_not_found' };
      return { ok: true, channel: { id: dmChannel(person).id } };
    });
    slack.handle('respond/*', (args, method) => this.respond(method, args));
    slack.onCall((call, answer) => {
      const method = call.method.startsWith('respond/') ? 'response_url' : call.method;
      this.log(`[slack api] ${method} → ${answer.ok === true ? 'ok' : `error: ${String(answer.error)}`}`);
    });
  }

  /** Everything the console needs on load. */
  snapshot(): WorkspaceSnapshot {
    return {
      team: TEAM,
      bot: BOT,
      people: PEOPLE,
      channels: [...CHANNELS, ...PEOPLE.map(dmChannel)],
      groups: GROUPS,
      feed: this.feed,
      homes: Object.fromEntries(this.homes),
      modals: Object.fromEntries(this.modals),
      logs: this.logs.slice(-200),
    };
  }
}
