/**
 * Whether the bot is a member of a channel, so a reply promises only what is true about where an arrival will be
 * announced. `conversations.info` (scopes channels:read and groups:read) answers `is_member`; a private channel the
 * bot was never added to is `channel_not_found` to it, so not a member either. Asked while the user waits: one quick
 * try, and "unknown" rather than a late reply.
 *
 * Slack's answer is remembered per channel for PRESENCE_CACHE_SECONDS (30 s), so a busy channel asks once, not on
 * every command: a reply in the first seconds after `/invite @upload-link` may still say "by direct message". It
 * decides no access, only the wording of the reply. "Unknown" (Slack did not answer) is not remembered.
 */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { ChannelPresence } from '../core/ports.js';
import { slackErrorCode } from '../lib/errors.js';

export const PRESENCE_CACHE_SECONDS = 30;
/** Channels remembered at once; beyond it the least recently used is asked again. */
const MAX_CHANNELS = 1000;

export function slackChannelPresence(client: WebClient, now: () => number = Date.now): ChannelPresence {
  // Concurrent commands in one channel share a single call (lru-cache's fetchMethod merges them); a fetch that
  // resolves undefined is not stored.
  const cache = new LRUCache<string, boolean>({
    max: MAX_CHANNELS,
    ttl: PRESENCE_CACHE_SECONDS * 1000,
    perf: { now },
    // Ask the clock on every look-up (lru-cache otherwise reuses one reading for 1 ms): one Date.now() a command.
    ttlResolution: 0,
    fetchMethod: async (channelId) => {
      try {
        const result = await client.conversations.info({ channel: channelId });
        return result.channel?.is_member === true;
      } catch (error) {
        return slackErrorCode(error) === 'channel_not_found' ? false : undefined;
      }
    },
  });
  return {
    isMember: (channelId) => cache.fetch(channelId),
  };
}
