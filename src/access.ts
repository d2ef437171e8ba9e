/**
 * Who may create upload links, where. The one place that decides; the command path only asks.
 *
 * First version: the config's ADMIN_USER_IDS and ALLOWED_USER_IDS, valid in every channel.
 */

export type AccessReason = 'admin' | 'allowed-everywhere';

export type AccessDecision =
  | { readonly allowed: true; readonly reason: AccessReason }
  | {
      readonly allowed: false /** Who can grant access, to name in the refusal. */;
      readonly admins: readonly string[];
    };

export interface AccessPolicy {
  decide(userId: string, channelId: string): Promise<AccessDecision>;
}

export interface StaticAccessLists {
  readonly adminUserIds: readonly string[];
  readonly allowedUserIds: readonly string[];
}

export function staticAccessPolicy({ adminUserIds, allowedUserIds }: StaticAccessLists): AccessPolicy {
  const admins = new Set(adminUserIds);
  const allowed = new Set(allowedUserIds);
  return {
    async decide(userId) {
      if (admins.has(userId)) return { allowed: true, reason: 'admin' };
      if (allowed.has(userId)) return { allowed: true, reason: 'allowed-everywhere' };
      return { allowed: false, admins: [...adminUserIds] };
    },
  };
}
