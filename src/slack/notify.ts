/**
 * Telling Slack that a file arrived: a message in the link's channel, or, when the bot cannot post there (not a
 * member, archived, a private channel it was never added to), a direct message to whoever made the link.
 */
import type { WebClient } from '@slack/web-api';
import { formatSize } from '../core/limits.js';
import type { ArrivalNotice } from '../partner/routes.js';

const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export function arrivalText({ link, size }: ArrivalNotice, bucket: string): string {
  return `:inbox_tray: *${link.filename}* (${formatSize(size)}) has arrived through <@${link.requester}>'s upload link → \`s3://${bucket}/${link.key}\``;
}

export function slackArrivalNotifier(client: WebClient, bucket: string) {
  return async (notice: ArrivalNotice): Promise<void> => {
    const text = arrivalText(notice, bucket);
    try {
      await client.chat.postMessage({ channel: notice.link.channelId, text });
      return;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === undefined || !CANNOT_POST_HERE.has(code)) throw error;
    }
    const dm = await client.conversations.open({ users: notice.link.requester });
    const channel = dm.channel?.id;
    if (channel === undefined) throw new Error('conversations.open returned no channel');
    await client.chat.postMessage({
      channel,
      text: `${text}\n(I couldn't post in <#${notice.link.channelId}>: add me to the channel to have arrivals announced there.)`,
    });
  };
}
