// What the console knows: the workspace as the server last described it, plus what is the page's own (who is being
// played, where, unread counts, command history). One object, changed by console.ts and re-rendered from.
import type { BotUser, FeedEntry, StateResponse, StoredObjectInfo, Team, ViewState } from '../../console-api.js';
import type { Channel, Person, UserGroup } from '../../directory.js';
import type { Directory, Lists } from './blocks.js';

export const COMMAND = '/upload-link';

/** A shared channel's id, 'dm' (the current person's DM with the bot) or 'home' (the bot's App Home). */
export type Place = 'dm' | 'home' | (string & {});

export interface ConsoleState {
  /** Whether the bot is running, as far as the page knows (false while the event stream is down). */
  ready: boolean;
  team: Team | undefined;
  bot: BotUser | undefined;
  s3: StateResponse['s3'];
  urls: StateResponse['urls'];
  people: readonly Person[];
  /** The shared channels, then every person's DM with the bot. */
  channels: readonly Channel[];
  groups: readonly UserGroup[];
  /** id → entry, in arrival order. */
  feed: Map<number, FeedEntry>;
  /** Person id → their Home view. */
  homes: Record<string, ViewState>;
  /** Person id → their open modal. */
  modals: Record<string, ViewState>;
  logs: string[];
  /** The id of the person being played. */
  me: string;
  place: Place;
  /** `<person id>:<channel id>` → how many entries arrived there unseen by that person. */
  unread: Map<string, number>;
  /** The commands sent, newest first, and which one ↑ has recalled (-1: none). */
  history: string[];
  historyAt: number;
  /** The bucket's objects, as last listed. */
  objects: readonly StoredObjectInfo[];
}

export const state: ConsoleState = {
  ready: false,
  team: undefined,
  bot: undefined,
  s3: undefined,
  urls: undefined,
  people: [],
  channels: [],
  groups: [],
  feed: new Map(),
  homes: {},
  modals: {},
  logs: [],
  me: localStorage.getItem('playground.me') ?? 'U0PGADMIN',
  place: localStorage.getItem('playground.place') ?? 'C0PGACME',
  unread: new Map(),
  history: [],
  historyAt: -1,
  objects: [],
};

// ---------------------------------------------------------------------------------------------------------------
// Lookups

export const person = (id: string): Person | undefined => state.people.find((p) => p.id === id);
export const me = (): Person | undefined => person(state.me) ?? state.people[0];
export const dmId = (personId: string): string => `D${personId.slice(1)}`;
export const currentChannelId = (): string | undefined =>
  state.place === 'dm' ? dmId(state.me) : state.place === 'home' ? undefined : state.place;
export const channel = (id: string | undefined): Channel | undefined => state.channels.find((c) => c.id === id);
export const sharedChannels = (): Channel[] => state.channels.filter((c) => c.kind === 'channel');

/** Names for the ids in what the bot sends. */
export const directory: Directory = {
  user: (id) => person(id)?.handle ?? (id === state.bot?.userId ? state.bot.name : undefined),
  channel: (id) => {
    const c = channel(id);
    if (c === undefined) return undefined;
    return c.kind === 'dm' ? `${person(`U${id.slice(1)}`)?.handle ?? 'someone'} (direct message)` : c.name;
  },
  group: (id) => state.groups.find((g) => g.id === id)?.handle,
};
export const lists = (): Lists => ({ people: state.people, channels: sharedChannels() });

/** Messages are seen by everyone in the channel; everything else only by the person it is for. */
export const visibleTo = (entry: FeedEntry, personId: string): boolean =>
  entry.kind === 'message' || entry.user === personId;
