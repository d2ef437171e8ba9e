/**
 * Access administration: `allow`, `disallow`, `access`, `admins`, `settings`, `audit`. Shared by the slash command,
 * the App Home and the CLI, so all three have the same meaning, validation and audit.
 *
 * Parsing turns tokens into a request or a usage error; nothing changes until a request is fully valid and the
 * actor is an admin.
 */

import { type GroupDirectory, GroupLookupError } from '../slack/groups.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';
import {
  type AccessStore,
  type AuditRecord,
  type ChannelSettings,
  type ChannelSettingsPatch,
  EVERYWHERE,
  StoreUnavailableError,
  type Subject,
} from '../store/index.js';
import type { AccessPolicy } from './access.js';
import type { Piece, Token } from './command.js';
import { describeRange, formatDuration, MIN_EXPIRY_SECONDS, parseDuration } from './durations.js';
import { prefixProblems } from './keys.js';
import { formatSize, parseSize, parseTypes } from './limits.js';
import { effectiveSettings, type GlobalSettings } from './settings.js';

export const ADMIN_COMMANDS = ['allow', 'disallow', 'access', 'admins', 'settings', 'audit'] as const;
export type AdminCommandName = (typeof ADMIN_COMMANDS)[number];

export const USAGE: Record<AdminCommandName, string> = {
  allow: '/upload-link allow @person @group … [#channel | everywhere]',
  disallow: '/upload-link disallow @person @group … [#channel | everywhere]',
  access: '/upload-link access [#channel]',
  admins: '/upload-link admins [add | remove @person …]',
  settings:
    '/upload-link settings [#channel] [prefix=<folder/>] [default-expiry=<2h>] [max-expiry=<3d>] [max-size=<200MB>] [types=<pdf,xlsx>]',
  audit: '/upload-link audit [#channel] [N]',
};

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
  | { readonly ok: false; readonly command: AdminCommandName; readonly problem: string };

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

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

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

function unknownWord(text: string): string {
  if (text.startsWith('@')) {
    return `I can't tell who "${escapeMrkdwn(text)}" is. Pick the person or group from Slack's suggestions as you type, so it becomes a mention.`;
  }
  if (text.startsWith('#')) {
    return `I can't tell which channel "${escapeMrkdwn(text)}" is. Pick it from Slack's suggestions as you type, so it becomes a link.`;
  }
  return `I don't understand "${escapeMrkdwn(text)}".`;
}

/** Parse the words after the command name. `currentChannel` is the target when none is given (absent in the CLI). */
export function parseAdminCommand(tokens: readonly Token[], currentChannel: string | undefined): ParsedAdmin {
  const command = adminCommandOf(tokens);
  if (command === undefined) throw new Error('parseAdminCommand needs an admin command');
  const args = tokens.slice(1).map(argOf);
  const fail = (problem: string): ParsedAdmin => ({ ok: false, command, problem });
  const needChannel = (channelId: string | undefined): string | ParsedAdmin =>
    channelId ?? fail('Name the channel (in the CLI there is no current channel).');

  switch (command) {
    case 'allow':
    case 'disallow': {
      const subjects: Subject[] = [];
      let scope: Scope | undefined;
      for (const arg of args) {
        if (arg.kind === 'user' || arg.kind === 'usergroup') subjects.push({ type: arg.kind, id: arg.id });
        else if (arg.kind === 'channel' || arg.kind === 'everywhere') {
          if (scope !== undefined) return fail('Give one target: a single #channel or `everywhere`.');
          scope = arg.kind === 'channel' ? { kind: 'channel', id: arg.id } : { kind: 'everywhere' };
        } else return fail(unknownWord(arg.text));
      }
      if (subjects.length === 0) return fail(`Mention at least one person or user group to ${command}.`);
      if (scope === undefined) {
        const channel = needChannel(currentChannel);
        if (typeof channel !== 'string') return channel;
        scope = { kind: 'channel', id: channel };
      }
      return { ok: true, request: { command, subjects, scope } };
    }
    case 'access': {
      if (args.length > 1) return fail('Give at most one #channel.');
      const arg = args[0];
      if (arg !== undefined && arg.kind !== 'channel')
        return fail(arg.kind === 'word' ? unknownWord(arg.text) : 'Give a #channel.');
      const channel = needChannel(arg?.id ?? currentChannel);
      if (typeof channel !== 'string') return channel;
      return { ok: true, request: { command, channelId: channel } };
    }
    case 'admins': {
      if (args.length === 0) return { ok: true, request: { command, change: 'list', users: [] } };
      const [verb, ...rest] = args;
      const change = verb?.kind === 'word' ? verb.text.toLowerCase() : undefined;
      if (change !== 'add' && change !== 'remove') return fail('Use `add` or `remove`, then mention people.');
      const users: string[] = [];
      for (const arg of rest) {
        if (arg.kind === 'user') users.push(arg.id);
        else
          return fail(
            arg.kind === 'word' ? unknownWord(arg.text) : 'Admins are people: mention users, not groups or channels.',
          );
      }
      if (users.length === 0) return fail(`Mention the people to ${change}.`);
      return { ok: true, request: { command, change, users: [...new Set(users)] } };
    }
    case 'settings': {
      let channelId: string | undefined;
      const patch: { -readonly [K in keyof ChannelSettingsPatch]: ChannelSettingsPatch[K] } = {};
      const seen = new Set<string>();
      for (const [i, arg] of args.entries()) {
        if (arg.kind === 'channel') {
          if (channelId !== undefined) return fail('Give one #channel.');
          channelId = arg.id;
          continue;
        }
        const text = tokens[i + 1]?.text ?? '';
        const eq = text.indexOf('=');
        if (eq === -1) return fail(unknownWord(text));
        const name = text.slice(0, eq).toLowerCase();
        const value = text.slice(eq + 1);
        if (seen.has(name)) return fail(`\`${name}\` is given twice.`);
        seen.add(name);
        const reset = value.toLowerCase() === 'default';
        if (name === 'prefix') {
          if (reset) patch.keyPrefix = null;
          else {
            const problems = prefixProblems(value);
            if (value === '' || problems.length > 0) {
              return fail(
                `The prefix "${escapeMrkdwn(value)}" ${value === '' ? 'is empty' : problems.join(', ')}. Example: prefix=partners/acme/`,
              );
            }
            patch.keyPrefix = value;
          }
        } else if (name === 'default-expiry' || name === 'max-expiry') {
          let seconds: number | null = null;
          if (!reset) {
            const parsed = parseDuration(value);
            if (parsed === undefined)
              return fail(
                `"${escapeMrkdwn(value)}" isn't a duration: use a number and m, h, d or w (like 2h or 3d), or \`default\`.`,
              );
            seconds = parsed;
          }
          if (name === 'default-expiry') patch.defaultExpirySeconds = seconds;
          else patch.maxExpirySeconds = seconds;
        } else if (name === 'max-size') {
          const size = reset ? null : parseSize(value);
          if (size === undefined) {
            return fail(
              `"${escapeMrkdwn(value)}" isn't a size: use a number and B, KB, MB or GB (like 200MB), up to 5 GB, or \`default\`.`,
            );
          }
          patch.maxSizeBytes = size;
        } else if (name === 'types') {
          const types = reset ? null : parseTypes(value);
          if (types === undefined) {
            return fail(
              `"${escapeMrkdwn(value)}" isn't a list of file types: use extensions separated by commas (like pdf,xlsx), or \`default\`.`,
            );
          }
          patch.allowedTypes = types;
        } else {
          return fail(
            `There is no setting \`${name}\`: use prefix=, default-expiry=, max-expiry=, max-size= or types=.`,
          );
        }
      }
      const channel = needChannel(channelId ?? currentChannel);
      if (typeof channel !== 'string') return channel;
      return { ok: true, request: { command, channelId: channel, patch } };
    }
    case 'audit': {
      let channelId: string | undefined;
      let count = DEFAULT_AUDIT_COUNT;
      for (const arg of args) {
        if (arg.kind === 'channel' && channelId === undefined) channelId = arg.id;
        else if (arg.kind === 'word' && /^\d{1,4}$/.test(arg.text)) {
          count = Number(arg.text);
          if (count < 1 || count > MAX_AUDIT_COUNT) return fail(`Show between 1 and ${MAX_AUDIT_COUNT} events.`);
        } else return fail(arg.kind === 'word' ? unknownWord(arg.text) : 'Give at most one #channel and a number.');
      }
      return { ok: true, request: { command, channelId, count } };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Execution

export interface AdminDeps {
  readonly settings: GlobalSettings;
  readonly configAdmins: readonly string[];
  readonly configAllowed: readonly string[];
  readonly store: AccessStore;
  readonly access: AccessPolicy;
  readonly groups: GroupDirectory;
  readonly now: () => Date;
}

/** What an admin command did, in words ready for Slack (mrkdwn). The CLI turns mentions into plain ids. */
export interface AdminResult {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

export const adminMessages = {
  notAdmin: (admins: readonly string[]) =>
    admins.length > 0
      ? `Only admins can manage upload-link access. The admins are ${admins.map((a) => `<@${a}>`).join(', ')}; nothing was changed.`
      : 'Only admins can manage upload-link access, and none are set up yet (ADMIN_USER_IDS). Nothing was changed.',
  storeUnavailable:
    'The access store is temporarily unavailable, so nothing was created or changed. Please try again in a moment.',
  usage: (command: AdminCommandName, problem: string) =>
    `${problem} Nothing was changed.\nUsage: \`${escapeMrkdwn(USAGE[command])}\``,
} as const;

export const subjectMention = (s: Subject) => (s.type === 'user' ? `<@${s.id}>` : `<!subteam^${s.id}>`);
export const scopeText = (scope: Scope) => (scope.kind === 'everywhere' ? 'every channel' : `<#${scope.id}>`);
const actorText = (actor: string) => (actor === 'cli' ? 'the CLI' : `<@${actor}>`);
const list = (items: readonly string[]) => items.join(', ');

/** Run a text admin command for `actor` (a user id, or `cli` which is always an admin). */
export async function runAdminCommand(
  deps: AdminDeps,
  actor: string,
  tokens: readonly Token[],
  currentChannel: string | undefined,
): Promise<AdminResult> {
  try {
    if (actor !== 'cli' && !(await deps.access.isAdmin(actor))) {
      return { ok: false, lines: [adminMessages.notAdmin(await deps.access.admins())] };
    }
    const parsed = parseAdminCommand(tokens, currentChannel);
    if (!parsed.ok) return { ok: false, lines: [adminMessages.usage(parsed.command, parsed.problem)] };
    return await executeAdminRequest(deps, actor, parsed.request);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return { ok: false, lines: [adminMessages.storeUnavailable] };
    throw error;
  }
}

/** Carry out a valid request. Callers have checked that `actor` is an admin. */
export async function executeAdminRequest(deps: AdminDeps, actor: string, request: AdminRequest): Promise<AdminResult> {
  switch (request.command) {
    case 'allow':
      return allow(deps, actor, request.subjects, request.scope);
    case 'disallow':
      return disallow(deps, actor, request.subjects, request.scope);
    case 'access':
      return { ok: true, lines: await describeAccess(deps, request.channelId) };
    case 'admins':
      return admins(deps, actor, request.change, request.users);
    case 'settings':
      return settings(deps, actor, request.channelId, request.patch);
    case 'audit':
      return { ok: true, lines: await describeAudit(deps, request.channelId, request.count) };
  }
}

const scopeKey = (scope: Scope) => (scope.kind === 'everywhere' ? EVERYWHERE : scope.id);

async function allow(deps: AdminDeps, actor: string, subjects: readonly Subject[], scope: Scope): Promise<AdminResult> {
  const result = await deps.store.allow(subjects, scopeKey(scope), actor, deps.now());
  const lines: string[] = [];
  if (result.changed.length > 0) {
    lines.push(
      `:white_check_mark: ${list(result.changed.map(subjectMention))} may now create upload links in ${scopeText(scope)}.`,
    );
  }
  if (result.unchanged.length > 0) {
    lines.push(
      `${list(result.unchanged.map(subjectMention))} already could in ${scopeText(scope)}; nothing changed for them.`,
    );
  }
  return { ok: true, lines };
}

async function disallow(
  deps: AdminDeps,
  actor: string,
  subjects: readonly Subject[],
  scope: Scope,
): Promise<AdminResult> {
  const result = await deps.store.disallow(subjects, scopeKey(scope), actor, deps.now());
  const lines: string[] = [];
  if (result.changed.length > 0) {
    lines.push(
      `:no_entry: ${list(result.changed.map(subjectMention))} may no longer create upload links in ${scopeText(scope)}.`,
    );
  }
  if (result.unchanged.length > 0) {
    lines.push(
      `${list(result.unchanged.map(subjectMention))} had no entry for ${scopeText(scope)}; nothing changed for them.`,
    );
  }
  // Access that remains through other rules, so the admin is not surprised.
  const stillAllowed = result.changed
    .concat(result.unchanged)
    .filter((s) => s.type === 'user' && (deps.configAllowed.includes(s.id) || deps.configAdmins.includes(s.id)));
  for (const s of stillAllowed) {
    lines.push(
      `${subjectMention(s)} is still allowed everywhere by the bot's configuration (${deps.configAdmins.includes(s.id) ? 'ADMIN_USER_IDS' : 'ALLOWED_USER_IDS'}), which only whoever runs the bot can change.`,
    );
  }
  if (scope.kind === 'channel') {
    const everywhere = (await deps.store.entriesFor(scope.id)).filter(
      (e) => e.scope === EVERYWHERE && subjects.some((s) => s.type === e.type && s.id === e.id),
    );
    for (const e of everywhere) {
      lines.push(
        `${subjectMention(e)} still has an "everywhere" entry; use \`/upload-link disallow ${subjectMention(e)} everywhere\` to remove it.`,
      );
    }
  }
  return { ok: true, lines };
}

async function admins(
  deps: AdminDeps,
  actor: string,
  change: 'list' | 'add' | 'remove',
  users: readonly string[],
): Promise<AdminResult> {
  if (change === 'list') {
    const stored = await deps.store.listAdmins();
    const lines = ['*Admins*'];
    for (const id of deps.configAdmins) lines.push(`• <@${id}> (configuration, ADMIN_USER_IDS)`);
    for (const a of stored) {
      if (!deps.configAdmins.includes(a.userId)) lines.push(`• <@${a.userId}> (added by ${actorText(a.addedBy)})`);
    }
    if (lines.length === 1)
      lines.push('No admins yet. Set ADMIN_USER_IDS, or run `npx upload-link admins add <user id>`.');
    return { ok: true, lines };
  }
  const lines: string[] = [];
  if (change === 'add') {
    for (const user of users) {
      if (deps.configAdmins.includes(user)) lines.push(`<@${user}> is already an admin (configuration).`);
      else if (await deps.store.addAdmin(user, actor, deps.now()))
        lines.push(`:white_check_mark: <@${user}> is now an admin.`);
      else lines.push(`<@${user}> is already an admin.`);
    }
    return { ok: true, lines };
  }
  for (const user of users) {
    if (deps.configAdmins.includes(user)) {
      lines.push(`<@${user}> is an admin by the bot's configuration (ADMIN_USER_IDS) and can't be removed from Slack.`);
      continue;
    }
    const everyone = await deps.access.admins();
    if (everyone.length === 1 && everyone[0] === user) {
      lines.push(`<@${user}> is the last admin; add another admin first, so someone can still manage access.`);
      continue;
    }
    if (await deps.store.removeAdmin(user, actor, deps.now()))
      lines.push(`:no_entry: <@${user}> is no longer an admin.`);
    else lines.push(`<@${user}> was not an admin; nothing changed.`);
  }
  return { ok: true, lines };
}

async function settings(
  deps: AdminDeps,
  actor: string,
  channelId: string,
  patch: ChannelSettingsPatch,
): Promise<AdminResult> {
  const stored = await deps.store.channelSettings(channelId);
  const show = (header: string, s: typeof stored) => {
    const e = effectiveSettings(deps.settings, channelId, s);
    const mark = (own: boolean) => (own ? '' : ' (default)');
    return [
      header,
      `• prefix: \`${escapeMrkdwn(e.prefix)}\`${mark(e.overridden.prefix)}`,
      `• default expiry: ${formatDuration(e.defaultExpirySeconds)}${mark(e.overridden.defaultExpiry)}`,
      `• max expiry: ${formatDuration(e.maxExpirySeconds)}${mark(e.overridden.maxExpiry)}`,
      `• max size: ${s?.maxSizeBytes === undefined ? 'none (5 GB, the S3 limit) (default)' : formatSize(s.maxSizeBytes)}`,
      `• types: ${s?.allowedTypes === undefined ? 'any (default)' : s.allowedTypes.join(', ')}`,
    ];
  };
  if (Object.keys(patch).length === 0) return { ok: true, lines: show(`*Settings for <#${channelId}>*`, stored) };

  const problem = settingsProblem(deps.settings, stored, patch);
  if (problem !== undefined) return { ok: false, lines: [adminMessages.usage('settings', problem.problem)] };
  const updated = await deps.store.updateChannelSettings(channelId, patch, actor, deps.now());
  const lines = show(`:white_check_mark: Updated settings for <#${channelId}>`, updated);
  if (updated.keyPrefix !== undefined && !updated.keyPrefix.startsWith(deps.settings.uploadPrefix)) {
    lines.push(
      `:warning: \`${escapeMrkdwn(updated.keyPrefix)}\` is outside \`${escapeMrkdwn(deps.settings.uploadPrefix)}\`: make sure the bot's IAM policy allows s3:PutObject there.`,
    );
  }
  return { ok: true, lines };
}

export interface SettingsProblem {
  readonly setting: 'default-expiry' | 'max-expiry';
  readonly problem: string;
}

/**
 * Why `patch` cannot apply over a channel's `stored` settings: the expiries it would leave out of range. Shared by
 * the `settings` command and the App Home's settings modal, which shows the problem next to the field.
 */
export function settingsProblem(
  global: GlobalSettings,
  stored: ChannelSettings | undefined,
  patch: ChannelSettingsPatch,
): SettingsProblem | undefined {
  const globalMax = global.maxExpirySeconds;
  const nextMax =
    patch.maxExpirySeconds === undefined ? stored?.maxExpirySeconds : (patch.maxExpirySeconds ?? undefined);
  const nextDefault =
    patch.defaultExpirySeconds === undefined ? stored?.defaultExpirySeconds : (patch.defaultExpirySeconds ?? undefined);
  const maxBound = { minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: globalMax };
  if (nextMax !== undefined && (nextMax < MIN_EXPIRY_SECONDS || nextMax > globalMax)) {
    return { setting: 'max-expiry', problem: `max-expiry must be ${describeRange(maxBound)} (the bot's MAX_EXPIRY).` };
  }
  const effectiveMax = nextMax ?? globalMax;
  if (nextDefault !== undefined && (nextDefault < MIN_EXPIRY_SECONDS || nextDefault > effectiveMax)) {
    const range = describeRange({ minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: effectiveMax });
    return { setting: 'default-expiry', problem: `default-expiry must be ${range} (this channel's max expiry).` };
  }
  return undefined;
}

/** Who may create links in a channel, and why. */
export async function describeAccess(deps: AdminDeps, channelId: string): Promise<string[]> {
  const [stored, entries] = await Promise.all([deps.store.listAdmins(), deps.store.entriesFor(channelId)]);
  const lines = [`*Who may create upload links in <#${channelId}>*`];
  const adminIds = [...new Set([...deps.configAdmins, ...stored.map((a) => a.userId)])];
  if (adminIds.length > 0) lines.push(`• Admins (every channel): ${list(adminIds.map((id) => `<@${id}>`))}`);
  const everywhere = [
    ...deps.configAllowed.map((id) => `<@${id}> (configuration)`),
    ...entries.filter((e) => e.scope === EVERYWHERE).map(subjectMention),
  ];
  if (everywhere.length > 0) lines.push(`• Allowed everywhere: ${list(everywhere)}`);
  const here = entries.filter((e) => e.scope !== EVERYWHERE);
  if (here.length > 0) lines.push(`• Allowed in this channel: ${list(here.map(subjectMention))}`);
  for (const group of entries.filter((e) => e.type === 'usergroup')) {
    try {
      const members = [...(await deps.groups.members(group.id))];
      lines.push(
        `• Via ${subjectMention(group)}: ${members.length > 0 ? list(members.map((m) => `<@${m}>`)) : 'no members right now'}`,
      );
    } catch (error) {
      if (!(error instanceof GroupLookupError)) throw error;
      lines.push(`• Via ${subjectMention(group)}: members unavailable ${error.unavailable}`);
    }
  }
  if (lines.length === 1) lines.push('Nobody yet. `/upload-link allow @person` gives someone access here.');
  return lines;
}

const auditTime = (at: Date) =>
  at
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d{2}\.\d{3}Z$/, ' UTC');

function describeEvent(e: AuditRecord): string {
  const who = actorText(e.actor);
  const where = e.channelId === undefined ? '' : ` in <#${e.channelId}>`;
  const d = e.detail as Record<string, unknown>;
  const subjects = Array.isArray(d.subjects)
    ? list(
        (d.subjects as string[]).map((s) => {
          const [type, id] = s.split(':');
          return subjectMention({ type: type === 'usergroup' ? 'usergroup' : 'user', id: id ?? '' });
        }),
      )
    : '';
  const scope = d.scope === 'everywhere' ? ' in every channel' : where;
  switch (e.action) {
    case 'link.issued':
      return `${who} created a link${where} for \`${escapeMrkdwn(String(d.key))}\`, expiring ${auditTime(new Date(String(d.expiresAt)))}`;
    case 'link.refused':
      return `${who} was refused a link${where} (${escapeMrkdwn(String(d.filename ?? ''))})`;
    case 'access.allow':
      return `${who} allowed ${subjects}${scope}`;
    case 'access.disallow':
      return `${who} disallowed ${subjects}${scope}`;
    case 'admin.add':
      return `${who} made <@${String(d.user)}> an admin`;
    case 'admin.remove':
      return `${who} removed <@${String(d.user)}> as admin`;
    case 'settings.update': {
      const value = (v: unknown, f: (x: number) => string) =>
        v === null || v === undefined ? 'default' : f(v as number);
      return `${who} set${where}: prefix=${escapeMrkdwn(String(d.prefix ?? 'default'))}, default-expiry=${value(d.defaultExpirySeconds, formatDuration)}, max-expiry=${value(d.maxExpirySeconds, formatDuration)}, max-size=${value(d.maxSizeBytes, formatSize)}, types=${d.allowedTypes ?? 'default'}`;
    }
    case 'link.revoked':
      return `${who} revoked the link for \`${escapeMrkdwn(String(d.key))}\`${where}`;
    case 'link.uploaded': {
      const size = typeof d.size === 'number' ? formatSize(d.size) : '?';
      return `a partner uploaded ${escapeMrkdwn(String(d.filename))} (${size}) through <@${String(d.requester)}>'s link${where}: \`${escapeMrkdwn(String(d.key))}\``;
    }
  }
}

export async function describeAudit(deps: AdminDeps, channelId: string | undefined, count: number): Promise<string[]> {
  const events = await deps.store.listAudit({ ...(channelId === undefined ? {} : { channelId }), limit: count });
  const header = `*Last ${events.length} event${events.length === 1 ? '' : 's'}${channelId === undefined ? '' : ` in <#${channelId}>`}* (newest first)`;
  if (events.length === 0) return [`Nothing recorded yet${channelId === undefined ? '' : ` for <#${channelId}>`}.`];
  return [header, ...events.map((e) => `• ${auditTime(e.at)} · ${describeEvent(e)}`)];
}
