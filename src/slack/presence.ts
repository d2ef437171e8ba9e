/**
 * Whether the bot is a member of a channel, so a reply promises only what is true about where an arrival will be
 * announced. `conversations.info` (scopes channels:read and groups:read) answers `is_member`; a private channel the
 * bot was never added to is `channel_not_found` to it, so not a member either. Asked while the user waits: one quick
 * try, and "unknown" rather than a late reply.
 */
import type { WebClient } from '@slack/web-api';
import type { ChannelPresence } from '../core/ports.js';
import { slackErrorCode } from '../lib/errors.js';

export function slackChannelPresence(client: WebClient): ChannelPresence {
  return {
    async isMember(channelId) {
      try {
        const result = await client.conversations.info({ channel: channelId });
        return result.channel?.is_member === true;
      } catch (error) {
        return slackErrorCode(error) === 'channel_not_found' ? false : undefined;
      }
    },
  };
}
