/**
 * Admin command words → a typed request, or what is wrong with them. Nothing changes until a request is fully
 * valid and the actor is an admin (see execute.ts).
 */
import type { Piece, Token } from '../command.js';
import type { ChannelSettingsPatch, Subject } from '../model.js';
import { isSettingName, parseSettingValue, SETTING_NAMES } from '../settings.js';
import { CHANNEL_ID, GROUP_ID, USER_ID } from '../slack-ids.js';
import { code, type Line } from '../text.js';
import { ADMIN_COMMANDS, type AdminCommandName } from './usage.js';

export const DEFAULT_AUDIT_COUNT = 20;
export const MAX_AUDIT_COUNT = 100;

/** Where a rule applies: one channel, or everywhere. */
export type Scope = { readonly kind: 'channel'; readonly id: string } | { readonly kind: 'everywhere' };

export type AdminRequest =
  | { readonly command: 'allow' | 'disallow'; readonly subjects: readonly Subject[]; readonly scope: Scope }
  | { readonly command: 'access'; readonly channelId: string }
  | { readonly command: 'admins'; readonly change: 'list' | 'add' | 'remove'; readonly users: readonly string[] }
  | { readonly command: 'settings'; readonly channelId: string; readonly patch: ChannelSettingsPatch }
  | { readonly command: 'audit'; readonly channelId: string | undefined; readonly count: number };

export type ParsedAdmin =
  | { readonly ok: true; readonly request: AdminRequest }
  | { readonly ok: false; readonly command: AdminCommandName; readonly problem: Line };

/** The admin command a token list starts with, if any. A quoted first word is always a file name. */
export function adminCommandOf(tokens: readonly Token[]): AdminCommandName | undefined {
  const first = tokens[0];
  if (first === undefined || first.quoted) return undefined;
  const word = first.text.toLowerCase();
  return (ADMIN_COMMANDS as readonly string[]).includes(word) ? (word as AdminCommandName) : undefined;
}

type Arg =
  | { kind: 'user'; id: string }
  | { kind: 'usergroup'; id: string }
  | { kind: 'channel'; id: string }
  | { kind: 'everywhere' }
  | { kind: 'word'; text: string };

/** One token → one argument. Raw ids (U…, S…, C…) are accepted too, for the CLI and for pasted ids. */
function argOf(token: Token): Arg {
  const only: Piece | undefined = token.pieces.length === 1 ? token.pieces[0] : undefined;
  if (only?.kind === 'user') return { kind: 'user', id: only.id };
  if (only?.kind === 'usergroup') return { kind: 'usergroup', id: only.id };
  if (only?.kind === 'channel') return { kind: 'channel', id: only.id };
  const text = token.text;
  if (!token.quoted) {
    if (text.toLowerCase() === 'everywhere') return { kind: 'everywhere' };
    const bare = text.replace(/^[@#]/, '');
    if (USER_ID.test(bare) && !text.startsWith('#')) return { kind: 'user', id: bare };
    if (GROUP_ID.test(bare) && !text.startsWith('#')) return { kind: 'usergroup', id: bare };
    if (CHANNEL_ID.test(bare) && !text.startsWith('@')) return { kind: 'channel', id: bare };
  }
  return { kind: 'word', text };
}

function unknownWord(text: string): Line {
  if (text.startsWith('@')) {
    return [
      `I can't tell who "${text}" is. Pick the person or group from Slack's suggestions as you type, so it becomes a mention.`,
    ];
  }
  if (text.startsWith('#')) {
    return [
      `I can't tell which channel "${text}" is. Pick it from Slack's suggestions as you type, so it becomes a link.`,
    ];
  }
  return [`I don't understand "${text}".`];
}

type Failure = (...problem: Line) => ParsedAdmin;

/** Parse the words after the command name. `currentChannel` is the target when none is given (absent in the CLI). */
export function parseAdminCommand(tokens: readonly Token[], currentChannel: string | undefined): ParsedAdmin {
  const command = adminCommandOf(tokens);
  if (command === undefined) throw new Error('parseAdminCommand needs an admin command');
  const args = tokens.slice(1).map(argOf);
  const fail: Failure = (...problem) => ({ ok: false, command, problem });
  const channelOr = (channelId: string | undefined, then: (channel: string) => ParsedAdmin): ParsedAdmin =>
    channelId === undefined ? fail('Name the channel (in the CLI there is no current channel).') : then(channelId);

  switch (command) {
    case 'allow':
    case 'disallow':
      return parseRule(command, args, currentChannel, fail, channelOr);
    case 'access': {
      if (args.length > 1) return fail('Give at most one #channel.');
      const arg = args[0];
      if (arg !== undefined && arg.kind !== 'channel')
        return fail(...(arg.kind === 'word' ? unknownWord(arg.text) : ['Give a #channel.']));
      return channelOr(arg?.id ?? currentChannel, (channelId) => ({ ok: true, request: { command, channelId } }));
    }
    case 'admins':
      return parseAdmins(args, fail);
    case 'settings':
      return parseSettings(tokens, args, currentChannel, fail, channelOr);
    case 'audit':
      return parseAudit(args, fail);
  }
}

function parseRule(
  command: 'allow' | 'disallow',
  args: readonly Arg[],
  currentChannel: string | undefined,
  fail: Failure,
  channelOr: (channelId: string | undefined, then: (channel: string) => ParsedAdmin) => ParsedAdmin,
): ParsedAdmin {
  const subjects: Subject[] = [];
  let scope: Scope | undefined;
  for (const arg of args) {
    if (arg.kind === 'user' || arg.kind === 'usergroup') subjects.push({ type: arg.kind, id: arg.id });
    else if (arg.kind === 'channel' || arg.kind === 'everywhere') {
      if (scope !== undefined) return fail('Give one target: a single #channel or ', code('everywhere'), '.');
      scope = arg.kind === 'channel' ? { kind: 'channel', id: arg.id } : { kind: 'everywhere' };
    } else return fail(...unknownWord(arg.text));
  }
  if (subjects.length === 0) return fail(`Mention at least one person or user group to ${command}.`);
  if (scope !== undefined) return { ok: true, request: { command, subjects, scope } };
  return channelOr(currentChannel, (id) => ({
    ok: true,
    request: { command, subjects, scope: { kind: 'channel', id } },
  }));
}

function parseAdmins(args: readonly Arg[], fail: Failure): ParsedAdmin {
  if (args.length === 0) return { ok: true, request: { command: 'admins', change: 'list', users: [] } };
  const [verb, ...rest] = args;
  const change = verb?.kind === 'word' ? verb.text.toLowerCase() : undefined;
  if (change !== 'add' && change !== 'remove')
    return fail('Use ', code('add'), ' or ', code('remove'), ', then mention people.');
  const users: string[] = [];
  for (const arg of rest) {
    if (arg.kind === 'user') users.push(arg.id);
    else if (arg.kind === 'word') return fail(...unknownWord(arg.text));
    else return fail('Admins are people: mention users, not groups or channels.');
  }
  if (users.length === 0) return fail(`Mention the people to ${change}.`);
  return { ok: true, request: { command: 'admins', change, users: [...new Set(users)] } };
}

function parseSettings(
  tokens: readonly Token[],
  args: readonly Arg[],
  currentChannel: string | undefined,
  fail: Failure,
  channelOr: (channelId: string | undefined, then: (channel: string) => ParsedAdmin) => ParsedAdmin,
): ParsedAdmin {
  let channelId: string | undefined;
  let patch: ChannelSettingsPatch = {};
  const seen = new Set<string>();
  for (const [i, arg] of args.entries()) {
    if (arg.kind === 'channel') {
      if (channelId !== undefined) return fail('Give one #channel.');
      channelId = arg.id;
      continue;
    }
    const text = tokens[i + 1]?.text ?? '';
    const eq = text.indexOf('=');
    if (eq === -1) return fail(...unknownWord(text));
    const name = text.slice(0, eq).toLowerCase();
    if (seen.has(name)) return fail(code(name), ' is given twice.');
    seen.add(name);
    if (!isSettingName(name)) {
      const names = SETTING_NAMES.map((n) => `${n}=`);
      return fail('There is no setting ', code(name), `: use ${names.slice(0, -1).join(', ')} or ${names.at(-1)}.`);
    }
    const parsed = parseSettingValue(name, text.slice(eq + 1));
    if (!parsed.ok) return fail(...parsed.problem);
    patch = { ...patch, ...parsed.patch };
  }
  return channelOr(channelId ?? currentChannel, (channel) => ({
    ok: true,
    request: { command: 'settings', channelId: channel, patch },
  }));
}

function parseAudit(args: readonly Arg[], fail: Failure): ParsedAdmin {
  let channelId: string | undefined;
  let count = DEFAULT_AUDIT_COUNT;
  for (const arg of args) {
    if (arg.kind === 'channel' && channelId === undefined) channelId = arg.id;
    else if (arg.kind === 'word' && /^\d{1,4}$/.test(arg.text)) {
      count = Number(arg.text);
      if (count < 1 || count > MAX_AUDIT_COUNT) return fail(`Show between 1 and ${MAX_AUDIT_COUNT} events.`);
    } else return fail(...(arg.kind === 'word' ? unknownWord(arg.text) : ['Give at most one #channel and a number.']));
  }
  return { ok: true, request: { command: 'audit', channelId, count } };
}
