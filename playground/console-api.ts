/**
 * What the console server and its page say to each other: the JSON of /api/* and the server-sent events. Types only,
 * importing nothing but directory.ts (which has no Node imports): the page's own TypeScript (console/src/) imports
 * this file too, and its bundle must not pull in Node code.
 */
import type { Channel, Person, UserGroup } from './directory.js';

export interface SlackMessage {
  readonly text?: string;
  readonly blocks?: unknown[];
}

export type FeedEntry =
  | {
      readonly id: number;
      readonly ts: string;
      readonly kind: 'command';
      readonly channel: string;
      readonly user: string;
      /** As typed in the console. */
      readonly typed: string;
      /** As sent to the bot, escaped the way Slack escapes it. */
      readonly sent: string;
    }
  | {
      readonly id: number;
      readonly ts: string;
      /** `ephemeral`: seen only by `user`; `message`: seen by everyone in the channel. */
      readonly kind: 'ephemeral' | 'message';
      readonly channel: string;
      readonly user: string | undefined;
      readonly message: SlackMessage;
      /** How it reached Slack: the command's HTTP answer, a response_url post, or chat.postMessage. */
      readonly via: 'reply' | 'response_url' | 'chat.postMessage';
      /** Where a button on it posts its response_url answers. */
      readonly responseUrl?: string;
    }
  | {
      readonly id: number;
      readonly ts: string;
      /** What Slack itself shows when the bot fails to answer (only to `user`). */
      readonly kind: 'slack-error';
      readonly channel: string;
      readonly user: string;
      readonly text: string;
    };

/** A published Home view or an open modal: the view as the bot sent it (with block ids filled in). */
export interface ViewState {
  readonly viewId: string;
  readonly view: Record<string, unknown>;
}

/** The server-sent events of /api/events: `event: <type>`, `data: <this, as JSON>`. */
export type WorkspaceEvent =
  | { readonly type: 'entry'; readonly entry: FeedEntry }
  | { readonly type: 'entry-removed'; readonly id: number }
  | { readonly type: 'home'; readonly user: string; readonly home: ViewState }
  | { readonly type: 'modal'; readonly user: string; readonly modal: ViewState | null }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'bucket' };

export interface StoredObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  /** ISO 8601. */
  readonly lastModified: string;
}

export interface Team {
  readonly id: string;
  readonly domain: string;
  readonly name: string;
}

/** The bot user, as the Slack stand-in's auth.test reports it. */
export interface BotUser {
  readonly userId: string;
  readonly botId: string;
  readonly name: string;
}

/** Everything the workspace has shown so far. */
export interface WorkspaceSnapshot {
  readonly team: Team;
  readonly bot: BotUser;
  readonly people: readonly Person[];
  /** The shared channels, then every person's DM with the bot. */
  readonly channels: readonly Channel[];
  readonly groups: readonly UserGroup[];
  readonly feed: readonly FeedEntry[];
  /** Person id → their Home view. */
  readonly homes: Readonly<Record<string, ViewState>>;
  /** Person id → their open modal. */
  readonly modals: Readonly<Record<string, ViewState>>;
  /** The last lines of the bot's log. */
  readonly logs: readonly string[];
}

/** GET /api/state. `s3` and `urls` are there once the bot is ready. */
export interface StateResponse extends WorkspaceSnapshot {
  readonly ready: boolean;
  readonly s3: { readonly endpoint: string; readonly bucket: string } | undefined;
  readonly urls: { readonly bot: string; readonly s3: string; readonly slack: string } | undefined;
}

/** `view.state.values`, as Slack sends them: block id → action id → the element's state. */
export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

/** Answers to a post that the bot received: whether it said 200, and what it said instead. */
export interface BotAnswer {
  readonly ok: boolean;
  readonly status: number;
}

/** The JSON routes that answer GET, by path. */
export interface GetRoutes {
  readonly '/api/state': StateResponse;
  readonly '/api/objects': StoredObjectInfo[];
}

/** The JSON routes that take a POST, by path: what the page sends, and what it gets back. */
export interface PostRoutes {
  readonly '/api/command': {
    readonly request: { readonly user: string; readonly channel: string | undefined; readonly text: string };
    /** Not ok: Slack's own error message is in the feed (a `slack-error` entry). */
    readonly response: { readonly ok: false } | { readonly ok: true; readonly ms: number };
  };
  readonly '/api/message-action': {
    readonly request: {
      readonly user: string;
      readonly entry: number;
      readonly blockId: string;
      readonly actionId: string;
    };
    readonly response: BotAnswer;
  };
  readonly '/api/home-opened': { readonly request: { readonly user: string }; readonly response: BotAnswer };
  readonly '/api/view-action': {
    readonly request: {
      readonly user: string;
      readonly blockId: string;
      readonly actionId: string;
      readonly values: StateValues;
    };
    readonly response: BotAnswer;
  };
  readonly '/api/view-submit': {
    readonly request: { readonly user: string; readonly values: StateValues };
    readonly response:
      | { readonly ok: true }
      | { readonly ok: false; readonly status: number }
      /** https://docs.slack.dev/surfaces/modals#displaying_errors: block id → message, as the bot sent them. */
      | { readonly ok: false; readonly errors: Readonly<Record<string, unknown>> };
  };
  readonly '/api/view-close': { readonly request: { readonly user: string }; readonly response: { readonly ok: true } };
}

/** What any route answers when it fails (with a 4xx or 5xx status). */
export interface ErrorResponse {
  readonly ok: false;
  readonly error: string;
}
