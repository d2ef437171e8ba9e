/**
 * Telling Slack that a file arrived: a message in the link's channel, or, when the bot cannot post there (not a
 * member, archived, a private channel it was never added to), a direct message to whoever made the link.
 */
import type { WebClient } from '@slack/web-api';
import { formatSize } from '../core/limits.js';
import type { ArrivalNotice } from '../core/model.js';
import { channel, code, emoji, type Line, strong, user } from '../core/text.js';
import { slackErrorCode } from '../lib/errors.js';
import { toMrkdwn } from './mrkdwn.js';
import { richText } from './rich-text.js';

const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export function arrivalLine({ link, size, replaced, afterRevoke, etag }: ArrivalNotice, bucket: string): Line {
  // A second upload through the same raw URL replaces the object; one landing after a revoke is still news.
  const how = replaced ? ' has arrived again and replaced the earlier file, through ' : ' has arrived through ';
  return [
    emoji(afterRevoke ? 'warning' : 'inbox'),
    ' ',
    strong(link.filename),
    ` (${formatSize(size)})${how}`,
    user(link.requester),
    afterRevoke ? "'s upload link after it was revoked → " : "'s upload link → ",
    code(`s3://${bucket}/${link.key}`),
    ...(etag === undefined || etag === '' ? [] : [' ETag ', code(etag.replaceAll('"', ''))]),
  ];
}

export const arrivalText = (notice: ArrivalNotice, bucket: string): string => toMrkdwn(arrivalLine(notice, bucket));

/**
 * The blocks carry the words as rich text (a file name is shown exactly, never as markup, so `<!channel>` in a name
 * pings nobody); `text`, the fallback for notifications, is the same in escaped mrkdwn.
 */
export function slackArrivalNotifier(client: WebClient, bucket: string) {
  return async (notice: ArrivalNotice): Promise<void> => {
    const line = arrivalLine(notice, bucket);
    const text = toMrkdwn(line);
    try {
      await client.chat.postMessage({ channel: notice.link.channelId, text, blocks: [richText([line])] });
      return;
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === undefined || !CANNOT_POST_HERE.has(code)) throw error;
    }
    const dm = await client.conversations.open({ users: notice.link.requester });
    const dmChannel = dm.channel?.id;
    if (dmChannel === undefined) throw new Error('conversations.open returned no channel');
    const why: Line = [
      "(I couldn't post in ",
      channel(notice.link.channelId),
      ': add me to the channel to have arrivals announced there.)',
    ];
    await client.chat.postMessage({
      channel: dmChannel,
      text: `${text}\n${toMrkdwn(why)}`,
      blocks: [richText([line, why])],
    });
  };
}
