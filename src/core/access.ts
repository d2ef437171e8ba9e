/**
 * Who may create upload links, where. The one place that decides; the command path only asks.
 *
 * A person may create a link in channel C when they are an admin (ADMIN_USER_IDS, or added from Slack), or an
 * allowlist entry allows them there (for C, or everywhere; ALLOWED_USER_IDS count as everywhere), directly or
 * through a user group they belong to.
 */
import { type GroupDirectory, GroupLookupError } from '../slack/groups.js';
import { type AccessEntry, type AccessStore, EVERYWHERE } from '../store/index.js';

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

export interface AccessPolicy {
  decide(userId: string, channelId: string): Promise<AccessDecision>;
  /** Everyone who may be admin: config admins first, then those added from Slack. */
  admins(): Promise<string[]>;
  isAdmin(userId: string): Promise<boolean>;
}

export interface StaticAccessLists {
  readonly adminUserIds: readonly string[];
  readonly allowedUserIds: readonly string[];
}

export interface AccessPolicyDeps {
  readonly lists: StaticAccessLists;
  readonly store: AccessStore;
  readonly groups: GroupDirectory;
}

/** Channel entries before "everywhere" ones, direct before group ones: the reason shown is the most specific. */
const specificity = (e: AccessEntry) => (e.scope === EVERYWHERE ? 1 : 0);

export function createAccessPolicy({ lists, store, groups }: AccessPolicyDeps): AccessPolicy {
  const configAdmins = new Set(lists.adminUserIds);
  const configAllowed = new Set(lists.allowedUserIds);

  async function admins(): Promise<string[]> {
    const stored = await store.listAdmins();
    return [...new Set([...lists.adminUserIds, ...stored.map((a) => a.userId)])];
  }

  return {
    admins,
    async isAdmin(userId) {
      return configAdmins.has(userId) || (await store.isAdmin(userId));
    },
    async decide(userId, channelId) {
      if (configAdmins.has(userId)) return { allowed: true, grant: { kind: 'admin', source: 'config' } };
      const [storedAdmin, entries] = await Promise.all([store.isAdmin(userId), store.entriesFor(channelId)]);
      if (storedAdmin) return { allowed: true, grant: { kind: 'admin', source: 'slack' } };
      entries.sort((a, b) => specificity(a) - specificity(b));

      const direct = entries.find((e) => e.type === 'user' && e.id === userId);
      if (direct) return { allowed: true, grant: entryGrant(direct, undefined) };
      if (configAllowed.has(userId)) {
        return { allowed: true, grant: { kind: 'entry', scope: 'everywhere', source: 'config', via: undefined } };
      }

      let groupsUnchecked = false;
      const groupEntries = entries.filter((e) => e.type === 'usergroup');
      const memberships = await Promise.all(
        groupEntries.map(async (entry) => {
          try {
            return (await groups.members(entry.id)).has(userId);
          } catch (error) {
            if (!(error instanceof GroupLookupError)) throw error;
            groupsUnchecked = true;
            return false;
          }
        }),
      );
      const viaGroup = groupEntries.find((_, i) => memberships[i]);
      if (viaGroup) return { allowed: true, grant: entryGrant(viaGroup, viaGroup.id) };
      return { allowed: false, admins: await admins(), groupsUnchecked };
    },
  };
}

function entryGrant(entry: AccessEntry, via: string | undefined): AccessGrant {
  return { kind: 'entry', scope: entry.scope === EVERYWHERE ? 'everywhere' : 'channel', source: 'slack', via };
}
