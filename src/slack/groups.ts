/**
 * Slack user group membership, for allowlist entries that name a group. Read with `usergroups.users.list`
 * (scope `usergroups:read`) and cached per group for at most 60 seconds: a member removed from a group in Slack
 * loses access within a minute. Nothing else that decides access is cached.
 */
import type { WebClient } from '@slack/web-api';

export const GROUP_CACHE_SECONDS = 60;

export interface GroupDirectory {
  /** Member user ids; throws GroupLookupError when Slack cannot answer. */
  members(groupId: string): Promise<ReadonlySet<string>>;
}

export class GroupLookupError extends Error {
  override name = 'GroupLookupError';
  /** Why members are missing, in the words shown after "members unavailable". */
  constructor(
    message: string,
    readonly unavailable = 'right now (Slack did not answer)',
  ) {
    super(message);
  }
}

export function slackGroupDirectory(client: WebClient, now: () => number = Date.now): GroupDirectory {
  const cache = new Map<string, { members: ReadonlySet<string>; fetchedAt: number }>();
  const inFlight = new Map<string, Promise<ReadonlySet<string>>>();
  return {
    async members(groupId) {
      const cached = cache.get(groupId);
      if (cached && now() - cached.fetchedAt < GROUP_CACHE_SECONDS * 1000) return cached.members;
      // Concurrent requests for one group share a single call.
      const pending = inFlight.get(groupId);
      if (pending) return pending;
      const lookup = (async () => {
        try {
          const result = await client.usergroups.users.list({ usergroup: groupId });
          const members = new Set(result.users ?? []);
          cache.set(groupId, { members, fetchedAt: now() });
          return members;
        } catch (error) {
          const code = (error as { data?: { error?: string } }).data?.error;
          throw new GroupLookupError(
            `could not read the members of user group ${groupId} from Slack (${code ?? (error as Error).message})`,
          );
        } finally {
          inFlight.delete(groupId);
        }
      })();
      inFlight.set(groupId, lookup);
      return lookup;
    },
  };
}
