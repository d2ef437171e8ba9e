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

/** Slack rejects a section over 3000 characters: split long replies into several sections on line breaks. */
export function textSections(lines: readonly string[], limit = 2900): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
    if (current !== '' && current.length + 1 + piece.length > limit) {
      blocks.push(section(current));
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') blocks.push(section(current));
  return blocks.slice(0, MAX_MESSAGE_BLOCKS);
}

/** Lines as an ephemeral reply: mrkdwn sections, and the same text as the fallback. */
export function linesReply(lines: readonly Line[]): Reply {
  const mrkdwn = lines.map(toMrkdwn);
  return ephemeral(mrkdwn.join('\n'), textSections(mrkdwn));
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
