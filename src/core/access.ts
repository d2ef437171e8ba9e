/**
 * Who may create upload links, where. The one place that decides; every surface only asks.
 *
 * A person may create a link in channel C when they are an admin (ADMIN_USER_IDS, or added from Slack), or an
 * allowlist entry allows them there (for C, or everywhere; ALLOWED_USER_IDS count as everywhere), directly or
 * through a user group they belong to.
 */
import { GroupLookupError } from '../lib/errors.js';
import { type AccessEntry, EVERYWHERE } from './model.js';
import type { CommandContext, GroupDirectory, Store } from './ports.js';

export type AccessGrant =
  | { readonly kind: 'admin'; readonly source: 'config' | 'slack' }
  | {
      readonly kind: 'entry';
      readonly scope: 'channel' | 'everywhere';
      readonly source: 'config' | 'slack';
      /** The user group through which the entry applies, if any. */
      readonly via: string | undefined;
    };

export type AccessDecision =
  | { readonly allowed: true; readonly grant: AccessGrant }
  | {
      readonly allowed: false;
      /** Who can grant access, to name in the refusal. */
      readonly admins: readonly string[];
      /** Some group entries could not be checked (Slack unreachable): the refusal says so. */
      readonly groupsUnchecked: boolean;
    };

/** Why a rule applies to someone: directly, through a user group, or by the bot's configuration. */
export interface Where {
  /** The user group through which the rule applies; undefined when it names the person. */
  readonly via: string | undefined;
  /** From ALLOWED_USER_IDS rather than an entry added from Slack. */
  readonly config: boolean;
}

/** Everywhere one person may create links (admins aside: they may everywhere). */
export interface PersonalAccess {
  /** Set when they may create links in every channel. */
  readonly everywhere: Where | undefined;
  /** Channels where an entry allows them, sorted. */
  readonly channels: readonly ({ readonly channelId: string } & Where)[];
  /** Some group memberships could not be checked (Slack did not answer). */
  readonly groupsUnchecked: boolean;
}

/** What the store says about a user in a channel: read once per command (`Store.context`). */
export type AccessFacts = Pick<CommandContext, 'storedAdmin' | 'entries'>;

export interface AccessPolicy {
  /** `known`: the facts the caller read already for this command (else they are read now, in one query). */
  decide(userId: string, channelId: string, known?: AccessFacts): Promise<AccessDecision>;
  /** Where `userId` may create links through allowlist entries. */
  whereAllowed(userId: string): Promise<PersonalAccess>;
  /** Everyone who may be admin: config admins first, then those added from Slack. */
  admins(): Promise<string[]>;
  isAdmin(userId: string, known?: AccessFacts): Promise<boolean>;
}

export interface StaticAccessLists {
  readonly adminUserIds: readonly string[];
  readonly allowedUserIds: readonly string[];
}

export interface AccessPolicyDeps {
  readonly lists: StaticAccessLists;
  readonly store: Store;
  readonly groups: GroupDirectory;
}

/** Channel entries before "everywhere" ones, direct before group ones: the reason shown is the most specific. */
const specificity = (e: AccessEntry) => (e.scope === EVERYWHERE ? 1 : 0);

/** A direct rule beats one through a group. */
const better = (known: Where | undefined, found: Where) =>
  known === undefined || (known.via !== undefined && found.via === undefined);

export const grantName = (grant: AccessGrant): string =>
  grant.kind === 'admin' ? 'admin' : grant.via ? `group:${grant.via}` : grant.scope;

export function createAccessPolicy({ lists, store, groups }: AccessPolicyDeps): AccessPolicy {
  const configAdmins = new Set(lists.adminUserIds);
  const configAllowed = new Set(lists.allowedUserIds);

  async function admins(): Promise<string[]> {
    const stored = await store.admins.list();
    return [...new Set([...lists.adminUserIds, ...stored.map((a) => a.userId)])];
  }

  /** Which of `groupIds` the person is in; a group Slack cannot answer for counts as not, and is reported. */
  async function membership(userId: string, groupIds: readonly string[]) {
    let unchecked = false;
    const found = await Promise.all(
      groupIds.map(async (id) => {
        try {
          return (await groups.members(id)).has(userId);
        } catch (error) {
          if (!(error instanceof GroupLookupError)) throw error;
          unchecked = true;
          return false;
        }
      }),
    );
    return { memberOf: new Set(groupIds.filter((_, i) => found[i])), unchecked };
  }

  return {
    admins,
    async isAdmin(userId, known) {
      return configAdmins.has(userId) || (known?.storedAdmin ?? (await store.admins.has(userId)));
    },
    async decide(userId, channelId, known) {
      if (configAdmins.has(userId)) return { allowed: true, grant: { kind: 'admin', source: 'config' } };
      const { storedAdmin, entries: found } = known ?? (await store.context(userId, channelId));
      if (storedAdmin) return { allowed: true, grant: { kind: 'admin', source: 'slack' } };
      const entries = [...found].sort((a, b) => specificity(a) - specificity(b));

      const direct = entries.find((e) => e.type === 'user' && e.id === userId);
      if (direct) return { allowed: true, grant: entryGrant(direct, undefined) };
      if (configAllowed.has(userId)) {
        return { allowed: true, grant: { kind: 'entry', scope: 'everywhere', source: 'config', via: undefined } };
      }
      const groupEntries = entries.filter((e) => e.type === 'usergroup');
      const { memberOf, unchecked } = await membership(
        userId,
        groupEntries.map((e) => e.id),
      );
      const viaGroup = groupEntries.find((e) => memberOf.has(e.id));
      if (viaGroup) return { allowed: true, grant: entryGrant(viaGroup, viaGroup.id) };
      return { allowed: false, admins: await admins(), groupsUnchecked: unchecked };
    },
    async whereAllowed(userId) {
      const entries = await store.entries.list();
      const groupIds = [...new Set(entries.filter((e) => e.type === 'usergroup').map((e) => e.id))];
      const { memberOf, unchecked } = await membership(userId, groupIds);
      const applies = (e: AccessEntry): Where | undefined => {
        if (e.type === 'user') return e.id === userId ? { via: undefined, config: false } : undefined;
        return memberOf.has(e.id) ? { via: e.id, config: false } : undefined;
      };
      let everywhere: Where | undefined = configAllowed.has(userId) ? { via: undefined, config: true } : undefined;
      const channels = new Map<string, Where>();
      for (const e of entries) {
        const where = applies(e);
        if (where === undefined) continue;
        if (e.scope === EVERYWHERE) {
          if (better(everywhere, where)) everywhere = where;
        } else if (better(channels.get(e.scope), where)) {
          channels.set(e.scope, where);
        }
      }
      return {
        everywhere,
        channels: [...channels.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([channelId, w]) => ({ channelId, ...w })),
        groupsUnchecked: unchecked,
      };
    },
  };
}

function entryGrant(entry: AccessEntry, via: string | undefined): AccessGrant {
  return { kind: 'entry', scope: entry.scope === EVERYWHERE ? 'everywhere' : 'channel', source: 'slack', via };
}
