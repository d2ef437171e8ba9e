/**
 * Lines (src/core/text.ts) as Slack mrkdwn. `&`, `<` and `>` are control characters everywhere in mrkdwn, code
 * spans included, so every plain string is escaped here, once, and a mention only ever comes from a mention piece
 * (whose id must look like a Slack id). Nothing else in the bot builds mrkdwn from user text.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
import { spellUsage } from '../core/admin/usage.js';
import { SLACK_ID } from '../core/slack-ids.js';
import type { Emoji, Inline, Line } from '../core/text.js';
import { isoSeconds } from '../lib/time.js';
import { COMMAND } from './ids.js';

export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack date formatting: each reader sees their own time zone; the fallback is ISO-8601 UTC. */
export const slackDate = (at: Date): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${isoSeconds(at)}>`;

export const EMOJI_NAMES: Record<Emoji, string> = {
  ok: 'white_check_mark',
  removed: 'no_entry',
  warning: 'warning',
  info: 'information_source',
  inbox: 'inbox_tray',
};

/** A mention of an id that does not look like one is shown as text, never as markup. */
const ref = (sigil: string, open: string, id: string) =>
  SLACK_ID.test(id) ? `<${open}${id}>` : escapeMrkdwn(`${sigil}${id}`);

/** Inside a code span a backtick would end it: shown as a quote instead. */
const inCode = (text: string) => escapeMrkdwn(text.replace(/`/g, "'"));

function piece(p: Inline): string {
  if (typeof p === 'string') return escapeMrkdwn(p);
  if ('user' in p) return ref('@', '@', p.user);
  if ('channel' in p) return ref('#', '#', p.channel);
  if ('usergroup' in p) return ref('@', '!subteam^', p.usergroup);
  if ('actor' in p) return p.actor === 'cli' ? 'the CLI' : ref('@', '@', p.actor);
  if ('code' in p) return `\`${inCode(p.code)}\``;
  if ('command' in p)
    return `\`${COMMAND} ${p.command.map((q) => (typeof q === 'string' ? inCode(q) : piece(q))).join('')}\``;
  if ('strong' in p) return `*${toMrkdwn(p.strong)}*`;
  if ('date' in p) return slackDate(p.date);
  if ('emoji' in p) return `:${EMOJI_NAMES[p.emoji]}:`;
  return `\`${inCode(`${COMMAND} ${spellUsage(p.usage, 'slack')}`)}\``;
}

export const toMrkdwn = (line: Line): string => line.map(piece).join('');

/** The same line with no markup at all: for plain_text fields (modal errors, notification fallbacks). */
export function toPlainText(line: Line): string {
  return line
    .map((p): string => {
      if (typeof p === 'string') return p;
      if ('user' in p) return `@${p.user}`;
      if ('channel' in p) return `#${p.channel}`;
      if ('usergroup' in p) return `@${p.usergroup}`;
      if ('actor' in p) return p.actor === 'cli' ? 'the CLI' : `@${p.actor}`;
      if ('code' in p) return p.code;
      if ('command' in p) return `${COMMAND} ${toPlainText(p.command)}`;
      if ('strong' in p) return toPlainText(p.strong);
      if ('date' in p) return isoSeconds(p.date);
      if ('emoji' in p) return '';
      return `${COMMAND} ${spellUsage(p.usage, 'slack')}`;
    })
    .join('');
}
