/**
 * Lines (src/core/text.ts) as a Block Kit rich_text block: every piece becomes an element of its own kind, and
 * text elements are never read as markup, so a file name shows exactly as it is, whatever it holds.
 * https://docs.slack.dev/reference/block-kit/blocks/rich-text-block
 */
import type { RichTextBlock, RichTextElement, RichTextStyleable } from '@slack/types';
import { spellUsage } from '../core/admin/usage.js';
import type { Inline, Line } from '../core/text.js';
import { isoSeconds } from '../lib/time.js';
import { COMMAND } from './ids.js';
import { EMOJI_NAMES, toPlainText } from './mrkdwn.js';

type Style = RichTextStyleable['style'];

function elements(piece: Inline, style?: Style): RichTextElement[] {
  const text = (value: string): RichTextElement[] =>
    value === '' ? [] : [{ type: 'text', text: value, ...(style === undefined ? {} : { style }) }];
  if (typeof piece === 'string') return text(piece);
  if ('user' in piece) return [{ type: 'user', user_id: piece.user }];
  if ('channel' in piece) return [{ type: 'channel', channel_id: piece.channel }];
  if ('usergroup' in piece) return [{ type: 'usergroup', usergroup_id: piece.usergroup }];
  if ('actor' in piece) return piece.actor === 'cli' ? text('the CLI') : [{ type: 'user', user_id: piece.actor }];
  if ('code' in piece) return [{ type: 'text', text: piece.code, style: { ...style, code: true } }];
  if ('command' in piece) {
    return [{ type: 'text', text: `${COMMAND} ${toPlainText(piece.command)}`, style: { ...style, code: true } }];
  }
  if ('strong' in piece) return piece.strong.flatMap((inner) => elements(inner, { ...style, bold: true }));
  if ('date' in piece) {
    return [
      {
        type: 'date',
        timestamp: Math.floor(piece.date.getTime() / 1000),
        format: '{date_short_pretty} at {time}',
        fallback: isoSeconds(piece.date),
      },
    ];
  }
  if ('emoji' in piece) return [{ type: 'emoji', name: EMOJI_NAMES[piece.emoji] }];
  return [{ type: 'text', text: `${COMMAND} ${spellUsage(piece.usage, 'slack')}`, style: { ...style, code: true } }];
}

/** One rich_text block holding `lines`, one after another. */
export function richText(lines: readonly Line[]): RichTextBlock {
  const parts = lines.flatMap((line, i) => [...(i === 0 ? [] : elements('\n')), ...line.flatMap((p) => elements(p))]);
  return { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: parts }] };
}
