/**
 * Carrying out admin requests: typed request in, typed outcome out. Shared by the slash command, the App Home and
 * the CLI, so all three have the same meaning, validation and audit; each renders the outcome its own way.
 */

import { GroupLookupError } from '../../lib/errors.js';
import type { AccessPolicy } from '../access.js';
import type { AuditRecord } from '../audit.js';
import type { Token } from '../command.js';
import {
  type AccessEntry,
  type AdminRecord,
  type ChannelSettings,
  type ChannelSettingsPatch,
  EVERYWHERE,
  type Subject,
} from '../model.js';
import type { GroupDirectory, Store } from '../ports.js';
import { type GlobalSettings, settingsProblem } from '../settings.js';
import type { Line } from '../text.js';
import { type AdminRequest, parseAdminCommand, type Scope } from './parse.js';
import type { AdminCommandName } from './usage.js';

export interface AdminDeps {
  readonly settings: GlobalSettings;
  readonly configAdmins: readonly string[];
  readonly configAllowed: readonly string[];
  readonly store: Store;
  readonly access: AccessPolicy;
  readonly groups: GroupDirectory;
  readonly now: () => Date;
}

export type AdminChange =
  | 'added'
  | 'already-admin'
  | 'config-admin'
  | 'removed'
  | 'not-admin'
  | 'config-admin-kept'
  | 'last-admin';

/** Group members for `access`: who they are, or why Slack could not say. */
export type GroupMembers =
  | { readonly group: AccessEntry; readonly members: readonly string[] }
  | { readonly group: AccessEntry; readonly unavailable: string };

export type AdminOutcome =
  | { readonly kind: 'not-admin'; readonly admins: readonly string[] }
  | { readonly kind: 'invalid'; readonly command: AdminCommandName; readonly problem: Line }
  | {
      readonly kind: 'allowed';
      readonly scope: Scope;
      readonly changed: readonly Subject[];
      readonly unchanged: readonly Subject[];
    }
  | {
      readonly kind: 'disallowed';
      readonly scope: Scope;
      readonly changed: readonly Subject[];
      readonly unchanged: readonly Subject[];
      /** People still allowed everywhere by the bot's configuration, and by which variable. */
      readonly byConfig: readonly { readonly user: string; readonly variable: 'ADMIN_USER_IDS' | 'ALLOWED_USER_IDS' }[];
      /** Subjects that keep an "everywhere" entry after a channel disallow. */
      readonly stillEverywhere: readonly Subject[];
    }
  | { readonly kind: 'admins'; readonly config: readonly string[]; readonly stored: readonly AdminRecord[] }
  | { readonly kind: 'admins-changed'; readonly results: readonly { user: string; change: AdminChange }[] }
  | {
      readonly kind: 'settings';
      readonly channelId: string;
      readonly global: GlobalSettings;
      readonly settings: ChannelSettings | undefined;
      readonly updated: boolean;
      /** A prefix outside UPLOAD_PREFIX: the IAM policy may not allow it. */
      readonly outsidePrefix: string | undefined;
    }
  | {
      readonly kind: 'access';
      readonly channelId: string;
      readonly admins: readonly string[];
      readonly configAllowed: readonly string[];
      readonly entries: readonly AccessEntry[];
      readonly groups: readonly GroupMembers[];
    }
  | { readonly kind: 'audit'; readonly channelId: string | undefined; readonly events: readonly AuditRecord[] };

/** Whether the outcome did what was asked (the CLI's exit code; a refusal is not success). */
export const succeeded = (outcome: AdminOutcome): boolean => outcome.kind !== 'not-admin' && outcome.kind !== 'invalid';

/** Run admin command words for `actor` (a user id, or `cli` which is always an admin). */
export async function runAdminCommand(
  deps: AdminDeps,
  actor: string,
  tokens: readonly Token[],
  currentChannel: string | undefined,
): Promise<AdminOutcome> {
  if (actor !== 'cli' && !(await deps.access.isAdmin(actor))) {
    return { kind: 'not-admin', admins: await deps.access.admins() };
  }
  const parsed = parseAdminCommand(tokens, currentChannel);
  if (!parsed.ok) return { kind: 'invalid', command: parsed.command, problem: parsed.problem };
  return executeAdminRequest(deps, actor, parsed.request);
}

/** Carry out a valid request. Callers have checked that `actor` is an admin. */
export async function executeAdminRequest(
  deps: AdminDeps,
  actor: string,
  request: AdminRequest,
): Promise<AdminOutcome> {
  switch (request.command) {
    case 'allow': {
      const result = await deps.store.entries.allow(request.subjects, scopeKey(request.scope), actor, deps.now());
      return { kind: 'allowed', scope: request.scope, ...result };
    }
    case 'disallow':
      return disallow(deps, actor, request.subjects, request.scope);
    case 'access':
      return describeAccess(deps, request.channelId);
    case 'admins':
      return request.change === 'list'
        ? { kind: 'admins', config: deps.configAdmins, stored: await deps.store.admins.list() }
        : changeAdmins(deps, actor, request.change, request.users);
    case 'settings':
      return settings(deps, actor, request.channelId, request.patch);
    case 'audit': {
      const { channelId, count } = request;
      const events = await deps.store.audit.list({ ...(channelId === undefined ? {} : { channelId }), limit: count });
      return { kind: 'audit', channelId, events };
    }
  }
}

const scopeKey = (scope: Scope) => (scope.kind === 'everywhere' ? EVERYWHERE : scope.id);

async function disallow(
  deps: AdminDeps,
  actor: string,
  subjects: readonly Subject[],
  scope: Scope,
): Promise<AdminOutcome> {
  const result = await deps.store.entries.disallow(subjects, scopeKey(scope), actor, deps.now());
  // Access that remains through other rules, so the admin is not surprised.
  const byConfig = [...result.changed, ...result.unchanged]
    .filter((s) => s.type === 'user' && (deps.configAllowed.includes(s.id) || deps.configAdmins.includes(s.id)))
    .map((s) => ({
      user: s.id,
      variable: deps.configAdmins.includes(s.id) ? ('ADMIN_USER_IDS' as const) : ('ALLOWED_USER_IDS' as const),
    }));
  const stillEverywhere =
    scope.kind === 'channel'
      ? (await deps.store.entries.forChannel(scope.id)).filter(
          (e) => e.scope === EVERYWHERE && subjects.some((s) => s.type === e.type && s.id === e.id),
        )
      : [];
  return { kind: 'disallowed', scope, ...result, byConfig, stillEverywhere };
}

async function changeAdmins(
  deps: AdminDeps,
  actor: string,
  change: 'add' | 'remove',
  users: readonly string[],
): Promise<AdminOutcome> {
  const results: { user: string; change: AdminChange }[] = [];
  for (const user of users) results.push({ user, change: await changeAdmin(deps, actor, change, user) });
  return { kind: 'admins-changed', results };
}

async function changeAdmin(
  deps: AdminDeps,
  actor: string,
  change: 'add' | 'remove',
  user: string,
): Promise<AdminChange> {
  const inConfig = deps.configAdmins.includes(user);
  if (change === 'add') {
    if (inConfig) return 'config-admin';
    return (await deps.store.admins.add(user, actor, deps.now())) ? 'added' : 'already-admin';
  }
  if (inConfig) return 'config-admin-kept';
  const everyone = await deps.access.admins();
  if (everyone.length === 1 && everyone[0] === user) return 'last-admin';
  return (await deps.store.admins.remove(user, actor, deps.now())) ? 'removed' : 'not-admin';
}

async function settings(
  deps: AdminDeps,
  actor: string,
  channelId: string,
  patch: ChannelSettingsPatch,
): Promise<AdminOutcome> {
  const stored = await deps.store.settings.get(channelId);
  const shown = { kind: 'settings', channelId, global: deps.settings, outsidePrefix: undefined } as const;
  if (Object.keys(patch).length === 0) return { ...shown, settings: stored, updated: false };
  const problem = settingsProblem(deps.settings, stored, patch);
  if (problem !== undefined) return { kind: 'invalid', command: 'settings', problem: [problem.problem] };
  const updated = await deps.store.settings.update(channelId, patch, actor, deps.now());
  const outside =
    updated.keyPrefix !== undefined && !updated.keyPrefix.startsWith(deps.settings.uploadPrefix)
      ? updated.keyPrefix
      : undefined;
  return { ...shown, settings: updated, updated: true, outsidePrefix: outside };
}

/** Who may create links in a channel, and why (group members asked of Slack). */
async function describeAccess(deps: AdminDeps, channelId: string): Promise<AdminOutcome> {
  const [stored, entries] = await Promise.all([deps.store.admins.list(), deps.store.entries.forChannel(channelId)]);
  const groups = await Promise.all(
    entries
      .filter((e) => e.type === 'usergroup')
      .map(async (group): Promise<GroupMembers> => {
        try {
          return { group, members: [...(await deps.groups.members(group.id))] };
        } catch (error) {
          if (!(error instanceof GroupLookupError)) throw error;
          return { group, unavailable: error.unavailable };
        }
      }),
  );
  return {
    kind: 'access',
    channelId,
    admins: [...new Set([...deps.configAdmins, ...stored.map((a) => a.userId)])],
    configAllowed: deps.configAllowed,
    entries,
    groups,
  };
}
