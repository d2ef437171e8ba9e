/**
 * Block Kit builders shared by every view and reply. Pure: data in, blocks out. Each keeps within Slack's limits
 * (https://docs.slack.dev/reference/block-kit/blocks, …/block-elements, …/composition-objects).
 */
import type {
  Button,
  ConfirmationDialog,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  PlainTextElement,
  RichTextBlock,
} from '@slack/types';
import type { Line } from '../../core/text.js';
import { toMrkdwn } from '../mrkdwn.js';

export const MAX_SECTION_TEXT = 3000;
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_VIEW_BLOCKS = 100;
export const MAX_BUTTON_TEXT = 75;
export const MAX_PLAIN_LABEL = 150;
/**
 * The mrkdwn a message's blocks may carry in all: Slack refuses more than about 12,000 characters of block text
 * (`msg_blocks_too_long`, slackapi/bolt-js #2509); kept under it with room for the rest of the blocks.
 */
export const MESSAGE_TEXT_BUDGET = 11_000;
/** A message's fallback `text`: Slack truncates past 40,000; a short one reads better in notifications anyway. */
export const MAX_FALLBACK_TEXT = 3000;

/** What a slash command or button answers with. */
export interface Reply {
  readonly response_type: 'ephemeral';
  readonly text: string;
  readonly blocks?: KnownBlock[];
}

export const ephemeral = (text: string, blocks?: KnownBlock[]): Reply =>
  blocks === undefined ? { response_type: 'ephemeral', text } : { response_type: 'ephemeral', text, blocks };

export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export const plain = (text: string, max = MAX_PLAIN_LABEL): PlainTextElement => ({
  type: 'plain_text',
  text: clip(text, max),
  emoji: true,
});

export const section = (mrkdwn: string, accessory?: Button): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) },
  ...(accessory === undefined ? {} : { accessory }),
});

export const context = (mrkdwn: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) }],
});

export const divider: KnownBlock = { type: 'divider' };

export const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text) });

export function button(
  text: string,
  actionId: string,
  value: string,
  options: { style?: 'primary' | 'danger'; confirm?: ConfirmationDialog } = {},
): Button {
  return {
    type: 'button',
    text: plain(text, MAX_BUTTON_TEXT),
    action_id: actionId,
    value,
    ...(options.style === undefined ? {} : { style: options.style }),
    ...(options.confirm === undefined ? {} : { confirm: options.confirm }),
  };
}

export function input(
  ids: { readonly blockId: string; readonly actionId: string },
  label: string,
  element: InputBlockElement,
  hint?: string,
): InputBlock {
  return {
    type: 'input',
    block_id: ids.blockId,
    label: plain(label),
    element: { ...element, action_id: ids.actionId },
    optional: true,
    ...(hint === undefined ? {} : { hint: plain(hint, 2000) }),
  };
}

/** A bold label and a preformatted block: rich text, so the code is shown exactly and never read as markup. */
export function codeBlock(label: string, code: string): RichTextBlock {
  return {
    type: 'rich_text',
    elements: [
      { type: 'rich_text_section', elements: [{ type: 'text', text: label, style: { bold: true } }] },
      { type: 'rich_text_preformatted', elements: [{ type: 'text', text: code }] },
    ],
  };
}

/**
 * A line cut to `max` characters at a safe place: never inside a `<…>` mention, link or date, never inside an
 * `&…;` entity, and marked with "…".
 */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const open = text.lastIndexOf('<', end);
  if (open !== -1 && text.indexOf('>', open) >= end) end = open;
  const amp = text.lastIndexOf('&', end);
  if (amp !== -1 && amp > end - 6 && !text.slice(amp, end).includes(';')) end = amp;
  return `${text.slice(0, end)}…`;
}

/** Slack rejects a section over 3000 characters: split long replies into several sections on line breaks. */
export function textSections(lines: readonly string[], limit = 2900): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    const piece = cutMrkdwn(line, limit);
    if (current !== '' && current.length + 1 + piece.length > limit) {
      blocks.push(section(current));
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') blocks.push(section(current));
  return blocks.slice(0, MAX_MESSAGE_BLOCKS);
}

/** The fallback text: what fits of `text`, cut at a safe place. */
export const fallbackText = (text: string): string => cutMrkdwn(text, MAX_FALLBACK_TEXT);

/**
 * Lines as an ephemeral reply: mrkdwn sections within every limit (3,000 a section, 50 blocks, the message's text
 * budget). Lines that don't fit are counted, not cut: the last block says "… and N more" (or what `more` says).
 */
export function linesReply(lines: readonly Line[], more?: (hidden: number) => string): Reply {
  const mrkdwn = lines.map((line) => cutMrkdwn(toMrkdwn(line), 2900));
  const shown: string[] = [];
  let used = 0;
  for (const line of mrkdwn) {
    if (used + line.length + 1 > MESSAGE_TEXT_BUDGET) break;
    shown.push(line);
    used += line.length + 1;
  }
  const hidden = mrkdwn.length - shown.length;
  const blocks = textSections(shown).slice(0, MAX_MESSAGE_BLOCKS - 1);
  if (hidden > 0) blocks.push(context(more?.(hidden) ?? `… and ${hidden} more lines not shown.`));
  const text = hidden > 0 ? `${shown.join('\n')}\n… and ${hidden} more` : shown.join('\n');
  return ephemeral(fallbackText(text), blocks);
}

/** Up to `room` blocks for `items`; when they don't all fit, the last block says how many more there are. */
export function cappedRows<T>(
  items: readonly T[],
  room: number,
  row: (item: T) => KnownBlock,
  more: (hidden: number) => string,
): KnownBlock[] {
  if (items.length <= room) return items.map(row);
  if (room <= 0) return [];
  const shown = room - 1;
  return [...items.slice(0, shown).map(row), context(more(items.length - shown))];
}

/** `a, b, c … and 7 more (use …)`: a list of mentions that stays short. */
export function mentionList(mentions: readonly string[], hint: string, max = 40): string {
  if (mentions.length <= max) return mentions.join(', ');
  return `${mentions.slice(0, max).join(', ')} … and ${mentions.length - max} more (use ${hint})`;
}
