/**
 * Slack user group membership, for allowlist entries that name a group. Read with `usergroups.users.list`
 * (scope `usergroups:read`) and cached per group for at most 60 seconds: a member removed from a group in Slack
 * loses access within a minute. Nothing else that decides access is cached.
 */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { GroupDirectory } from '../core/ports.js';
import { errorMessage, GroupLookupError, slackErrorCode } from '../lib/errors.js';

export type { GroupDirectory };
export { GroupLookupError };

export const GROUP_CACHE_SECONDS = 60;
/** Groups remembered at once; beyond it the least recently used is asked again. */
const MAX_GROUPS = 1000;

export function slackGroupDirectory(client: WebClient, now: () => number = Date.now): GroupDirectory {
  // Concurrent requests for one group share a single call (lru-cache's fetchMethod merges them).
  const cache = new LRUCache<string, ReadonlySet<string>>({
    max: MAX_GROUPS,
    ttl: GROUP_CACHE_SECONDS * 1000,
    perf: { now },
    fetchMethod: async (groupId) => {
      try {
        const result = await client.usergroups.users.list({ usergroup: groupId });
        return new Set(result.users ?? []);
      } catch (error) {
        throw new GroupLookupError(
          `could not read the members of user group ${groupId} from Slack (${slackErrorCode(error) ?? errorMessage(error)})`,
        );
      }
    },
  });
  return {
    async members(groupId) {
      const members = await cache.fetch(groupId);
      if (members === undefined) throw new GroupLookupError(`no members for user group ${groupId}`);
      return members;
    },
  };
}
