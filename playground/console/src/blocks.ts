// Block Kit → DOM for the playground console. Functions from Slack payloads to nodes.
//
// Whatever a payload says becomes text nodes or attribute values (see dom.ts), never markup. mrkdwn is formatted as
// Slack does it, on text in which `& < > " '` are escaped: the only tags in that text are the few the formats below
// write themselves (b, i, s, blockquote, br, and an emoji marker), and `fromMarkup` turns exactly those into elements
// and everything else back into text. Links keep only http(s) and mailto targets.
// https://docs.slack.dev/reference/block-kit/blocks
// https://docs.slack.dev/messaging/formatting-message-text
import type { Channel, Person } from '../../directory.js';
import { type Child, flatten, h } from './dom.js';

// ----------------------------------------------------------------------------------------------------------------
// The parts of Block Kit the console reads, as the bot sends them: any field may be missing.

/** https://docs.slack.dev/reference/block-kit/composition-objects/text-object */
export interface TextObject {
  readonly type?: string;
  readonly text?: string;
  readonly emoji?: boolean;
}

/** https://docs.slack.dev/reference/block-kit/composition-objects/option-object */
export interface OptionObject {
  readonly text?: TextObject;
  readonly value?: string;
  readonly description?: TextObject;
}

/** https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object */
export interface ConfirmObject {
  readonly title?: TextObject;
  readonly text?: TextObject;
  readonly confirm?: TextObject;
  readonly deny?: TextObject;
  readonly style?: string;
}

/** A block element (https://docs.slack.dev/reference/block-kit/block-elements), or a context block's text object. */
export interface BlockElement {
  readonly type?: string;
  readonly action_id?: string;
  /** A button's label; for a context block's mrkdwn and plain_text elements, their text. */
  readonly text?: TextObject | string;
  readonly emoji?: boolean;
  readonly value?: string;
  readonly url?: string;
  readonly style?: string;
  readonly confirm?: ConfirmObject;
  readonly placeholder?: TextObject;
  readonly options?: readonly OptionObject[];
  readonly initial_user?: string;
  readonly initial_conversation?: string;
  readonly initial_channel?: string;
  readonly initial_users?: readonly string[];
  readonly initial_conversations?: readonly string[];
  readonly initial_channels?: readonly string[];
  readonly initial_value?: string;
  readonly multiline?: boolean;
  readonly alt_text?: string;
}

/** A rich_text block's elements (sections, lists, quotes, preformatted) and their inline elements. */
export interface RichTextElement {
  readonly type?: string;
  readonly elements?: readonly RichTextElement[];
  /** Lists: 'bullet' or 'ordered'; text: bold, italic, strike, code. */
  readonly style?:
    | string
    | { readonly bold?: boolean; readonly italic?: boolean; readonly strike?: boolean; readonly code?: boolean };
  readonly indent?: number;
  readonly text?: string;
  readonly url?: string;
  readonly user_id?: string;
  readonly channel_id?: string;
  readonly usergroup_id?: string;
  readonly range?: string;
  readonly name?: string;
  readonly timestamp?: number | string;
  readonly format?: string;
  readonly fallback?: string;
}

export interface Block {
  readonly type?: string;
  readonly block_id?: string;
  readonly text?: TextObject;
  readonly fields?: readonly TextObject[];
  readonly accessory?: BlockElement;
  /** context and actions: block elements; rich_text: rich text elements (see richTextOf). */
  readonly elements?: readonly BlockElement[];
  readonly label?: TextObject;
  readonly element?: BlockElement;
  readonly hint?: TextObject;
  readonly optional?: boolean;
  readonly alt_text?: string;
}

/** A modal or Home view, as far as the console shows it. */
export interface View {
  readonly title?: TextObject;
  readonly close?: TextObject;
  readonly submit?: TextObject;
  readonly blocks?: unknown;
}

/** A payload's blocks: its array, read as Block Kit (a payload that sends something else shows nothing). */
export const blocksOf = (blocks: unknown): readonly Block[] => (Array.isArray(blocks) ? (blocks as Block[]) : []);

/** A rich_text block's elements are rich text elements, not block elements. */
export const richTextOf = (block: Block): readonly RichTextElement[] =>
  (block.elements ?? []) as readonly unknown[] as readonly RichTextElement[];

// ----------------------------------------------------------------------------------------------------------------
// Text

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const HTML_UNESCAPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(HTML_ESCAPES).map(([character, entity]) => [entity, character]),
);

/** Escape text for the formats below, which match on the escaped form (and only then see their own tags). */
const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
const unesc = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => HTML_UNESCAPES[e] ?? e);

/** Slack escapes only these three in message text. */
const decodeSlack = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The emoji the bot uses (and a few more): the character, and a plain symbol for machines without an emoji font. */
const EMOJI: ReadonlyMap<string, readonly [character: string, symbol: string]> = new Map([
  ['inbox_tray', ['📥', '⇩']],
  ['outbox_tray', ['📤', '⇧']],
  ['white_check_mark', ['✅', '✔']],
  ['heavy_check_mark', ['✔️', '✔']],
  ['no_entry', ['⛔', '⊘']],
  ['no_entry_sign', ['🚫', '⊘']],
  ['warning', ['⚠️', '⚠']],
  ['information_source', ['ℹ️', 'ℹ']],
  ['lock', ['🔒', '⚿']],
  ['key', ['🔑', '⚿']],
  ['link', ['🔗', '∞']],
  ['wave', ['👋', '☺']],
  ['tada', ['🎉', '★']],
  ['x', ['❌', '✘']],
  ['hourglass', ['⌛', '⌛']],
  ['hourglass_flowing_sand', ['⏳', '⌛']],
  ['page_facing_up', ['📄', '▤']],
  ['file_folder', ['📁', '▭']],
  ['gear', ['⚙️', '⚙']],
  ['eyes', ['👀', '◉']],
  ['calendar', ['📅', '▦']],
  ['rocket', ['🚀', '➚']],
]);

let colorEmoji = true;

/** Whether this browser can draw colour emoji; without a font for them, emoji show as plain symbols instead. */
export function setColorEmoji(available: boolean): void {
  colorEmoji = available;
}

function emojiNode(name: string): HTMLElement | undefined {
  const known = EMOJI.get(name);
  if (known === undefined) return undefined;
  const [character, symbol] = known;
  return colorEmoji
    ? h('span', { class: 'emoji', title: `:${name}:` }, character)
    : h('span', { class: `emoji emoji-plain emoji-${name.replace(/_/g, '-')}`, title: `:${name}:` }, symbol);
}

/** `:name:` → an emoji marker, on already-escaped text. Unknown names stay as typed, as Slack shows missing emoji. */
const emojify = (markup: string): string =>
  markup.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => (EMOJI.has(name) ? `<e:${name}>` : whole));

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

const link = (url: string, ...children: Child[]) =>
  h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, ...children);

/** A code block. One newline at the start of its text is dropped, as the HTML parser drops it after `<pre>`. */
function pre(...children: Child[]): HTMLPreElement {
  const [first, ...rest] = flatten(children);
  return h('pre', { class: 'code-block' }, typeof first === 'string' ? first.replace(/^\n/, '') : first, rest);
}

/** Text with its newlines as `<br>`s. */
const withBreaks = (text: string): Child[] =>
  text.split('\n').flatMap((line, i) => (i === 0 ? [line] : [h('br'), line]));

/** Private-use characters mark where rendered pieces go back in; removed from input first so text cannot forge one. */
const SLOT_OPEN = '\uE000';
const SLOT_CLOSE = '\uE001';

/** The tags the formats write (and, with slots, where rendered pieces go). Nothing else in the markup is a tag. */
const MARKUP = /<(\/?)(b|i|s|blockquote)>|<(br)>|<e:([a-z0-9_+-]+)>/g;
const MARKUP_WITH_SLOTS = /<(\/?)(b|i|s|blockquote)>|<(br)>|<e:([a-z0-9_+-]+)>|\uE000(\d+)\uE001/g;

const FORMATTING = new Set(['b', 'i', 's']);

/**
 * Escaped text with the formats' tags → nodes, built as the HTML parser built them from the same markup: the formats
 * can overlap (`*a _b* c_` is `<b>a <i>b</b> c</i>`), and then, as the parser does, the inner one is closed with the
 * outer one and opened again before whatever follows.
 */
function fromMarkup(markup: string, slots?: readonly Child[]): Child[] {
  const top: Child[] = [];
  const open: HTMLElement[] = [];
  let reopen: string[] = [];
  const add = (child: Child) => {
    const parent = open.at(-1);
    if (parent === undefined) top.push(child);
    else parent.append(...flatten([child]));
  };
  const reconstruct = () => {
    for (const tag of reopen.splice(0)) {
      const element = document.createElement(tag);
      add(element);
      open.push(element);
    }
  };
  const text = (value: string) => {
    if (value === '') return;
    reconstruct();
    const parent = open.at(-1);
    // One text node for a run of text, as parsed markup has.
    if (parent?.lastChild instanceof Text) parent.lastChild.appendData(value);
    else add(value);
  };
  let at = 0;
  for (const match of markup.matchAll(slots === undefined ? MARKUP : MARKUP_WITH_SLOTS)) {
    text(unesc(markup.slice(at, match.index)));
    at = match.index + match[0].length;
    const [, close, tag, br, emoji, slot] = match;
    if (tag !== undefined && close === '/') {
      const index = open.findLastIndex((element) => element.localName === tag);
      if (index === -1) {
        reopen = reopen.filter((name) => name !== tag);
        continue;
      }
      const above = open.splice(index).slice(1);
      reopen.push(...above.map((element) => element.localName).filter((name) => FORMATTING.has(name)));
    } else if (tag !== undefined) {
      // A blockquote starts a block: formatting waiting to be reopened goes inside it, with its text.
      if (tag !== 'blockquote') reconstruct();
      const element = document.createElement(tag);
      add(element);
      open.push(element);
    } else if (br !== undefined) {
      reconstruct();
      add(h('br'));
    } else if (emoji !== undefined) {
      reconstruct();
      add(emojiNode(emoji));
    } else if (slot !== undefined) {
      const content = slots?.[Number(slot)];
      if (typeof content === 'string') {
        text(content);
      } else if (content instanceof Node) {
        // Formatting waiting to be reopened is, as the parser does it, reopened before anything but a <pre>.
        if (!(content instanceof HTMLPreElement)) reconstruct();
        add(content);
      }
    }
  }
  text(unesc(markup.slice(at)));
  return top;
}

// ----------------------------------------------------------------------------------------------------------------
// Dates: <!date^1712345678^{date_short_pretty} at {time}|fallback>
// https://docs.slack.dev/messaging/formatting-message-text#date-formatting

const SUFFIXES: Readonly<Record<number, string>> = { 1: 'st', 2: 'nd', 3: 'rd' };
const ordinal = (n: number): string => {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${SUFFIXES[n % 10] ?? 'th'}`;
};

function dayDiff(at: Date, now: Date): number {
  const start = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((start(at) - start(now)) / 86_400_000);
}

function pretty(at: Date, now: Date, otherwise: string): string {
  const diff = dayDiff(at, now);
  if (diff === 0) return 'today';
  if (diff === -1) return 'yesterday';
  if (diff === 1) return 'tomorrow';
  return otherwise;
}

function dateTokens(at: Date, now: Date): ReadonlyMap<string, string> {
  const month = at.toLocaleString('en-US', { month: 'long' });
  const monthShort = at.toLocaleString('en-US', { month: 'short' });
  const weekday = at.toLocaleString('en-US', { weekday: 'long' });
  const date = `${month} ${ordinal(at.getDate())}, ${at.getFullYear()}`;
  const dateShort = `${monthShort} ${at.getDate()}, ${at.getFullYear()}`;
  const dateLong = `${weekday}, ${date}`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const ago = () => {
    const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
    const abs = Math.abs(seconds);
    const [value, unit] =
      abs < 60
        ? [abs, 'second']
        : abs < 3600
          ? [Math.round(abs / 60), 'minute']
          : abs < 86_400
            ? [Math.round(abs / 3600), 'hour']
            : [Math.round(abs / 86_400), 'day'];
    const words = `${value} ${unit}${value === 1 ? '' : 's'}`;
    return seconds >= 0 ? `${words} ago` : `in ${words}`;
  };
  return new Map([
    ['date_num', `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`],
    ['date', date],
    ['date_short', dateShort],
    ['date_long', dateLong],
    ['date_pretty', pretty(at, now, date)],
    ['date_short_pretty', pretty(at, now, dateShort)],
    ['date_long_pretty', pretty(at, now, dateLong)],
    ['time', at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' })],
    ['time_secs', at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' })],
    ['ago', ago()],
  ]);
}

/** The date as Slack shows it to this reader (their time zone); the fallback when the format is not understood. */
export function formatSlackDate(
  seconds: number | string | undefined,
  format: string,
  fallback: string,
  now = new Date(),
): string {
  const at = new Date(Number(seconds) * 1000);
  if (!Number.isFinite(at.getTime())) return fallback;
  const tokens = dateTokens(at, now);
  let known = true;
  const text = format.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const token = tokens.get(name);
    if (token === undefined) known = false;
    return token ?? '';
  });
  return known ? text : fallback;
}

// ----------------------------------------------------------------------------------------------------------------
// mrkdwn

/** Names for ids, from the workspace directory, each undefined when unknown. Without them, ids are shown. */
export interface Directory {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
  group(id: string): string | undefined;
}

/** What the people and channel pickers offer. */
export interface Lists {
  readonly people: readonly Person[];
  readonly channels: readonly Channel[];
}

const NO_DIRECTORY: Directory = { user: () => undefined, channel: () => undefined, group: () => undefined };
const NO_LISTS: Lists = { people: [], channels: [] };

/** One Slack `<…>` sequence (its inside, still Slack-escaped) → a node, or text. */
function renderSequence(inside: string, directory: Directory): Child {
  const bar = inside.indexOf('|');
  const target = bar === -1 ? inside : inside.slice(0, bar);
  const label = bar === -1 ? undefined : decodeSlack(inside.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = directory.user(id) ?? label?.replace(/^@/, '') ?? id;
    return h('span', { class: 'mention', 'data-user': id }, `@${name}`);
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = directory.channel(id) ?? label?.replace(/^#/, '') ?? id;
    return h('button', { type: 'button', class: 'mention channel-mention', 'data-goto-channel': id }, `#${name}`);
  }
  if (target.startsWith('!subteam^')) {
    const id = target.slice('!subteam^'.length);
    const name = directory.group(id) ?? label?.replace(/^@/, '') ?? id;
    return h('span', { class: 'mention group-mention', 'data-group': id }, `@${name}`);
  }
  if (target.startsWith('!date^')) {
    const [, seconds = '', format = '', url] = target.split('^');
    const fallback = label ?? '';
    const text = formatSlackDate(seconds, decodeSlack(format), fallback);
    const at = new Date(Number(seconds) * 1000);
    const datetime = Number.isFinite(at.getTime()) ? at.toISOString() : '';
    const time = h('time', { datetime, title: fallback }, text);
    return url !== undefined && SAFE_URL.test(decodeSlack(url)) ? link(decodeSlack(url), time) : time;
  }
  if (target.startsWith('!')) {
    const name = target.slice(1).split('^')[0];
    return h('span', { class: 'mention special-mention' }, `@${label ?? name}`);
  }
  const url = decodeSlack(target);
  const text = label ?? url.replace(/^mailto:/i, '');
  if (!SAFE_URL.test(url)) return text;
  return link(url, text);
}

/** Apply *bold*, _italic_ and ~strike~ to escaped text; the markers must hug the text, as in Slack. */
function inlineFormats(markup: string): string {
  const wrap = (marker: string) =>
    new RegExp(
      `(^|[\\s(>\\uE001"'])\\${marker}(?=[^\\s${marker}])([^${marker}\\n]*?[^\\s${marker}])\\${marker}(?=$|[\\s).,;:!?<\\uE000"'])`,
      'g',
    );
  return markup.replace(wrap('*'), '$1<b>$2</b>').replace(wrap('_'), '$1<i>$2</i>').replace(wrap('~'), '$1<s>$2</s>');
}

/** mrkdwn text (as Slack sends it) → nodes. */
export function renderMrkdwn(text: unknown, directory: Directory = NO_DIRECTORY): Child[] {
  const slots: Child[] = [];
  const slot = (content: Child) => `${SLOT_OPEN}${slots.push(content) - 1}${SLOT_CLOSE}`;
  let source = String(text ?? '').replace(/[\uE000\uE001]/g, '');
  // Slack's <…> sequences first: their insides are not mrkdwn.
  source = source.replace(/<([^<>\n]*)>/g, (_, inside: string) => slot(renderSequence(inside, directory)));
  // Escape everything else, then format.
  let markup = esc(decodeSlack(source));
  markup = markup.replace(/```\n?([\s\S]*?)```/g, (_, code: string) => slot(pre(fromMarkup(code, slots))));
  markup = markup.replace(/`([^`\n]+)`/g, (_, code: string) => slot(h('code', null, fromMarkup(code, slots))));
  markup = markup
    .split('\n')
    .map((line) => (line.startsWith('&gt; ') || line === '&gt;' ? `<blockquote>${line.slice(5)}</blockquote>` : line))
    .join('\n');
  markup = emojify(inlineFormats(markup))
    .replace(/\n/g, '<br>')
    .replace(/<\/blockquote><br>/g, '</blockquote>');
  return fromMarkup(markup, slots);
}

/** A text object: mrkdwn or plain_text. */
export function renderText(object: TextObject | string | null | undefined, directory = NO_DIRECTORY): Child[] {
  if (object === null || typeof object !== 'object') return [];
  if (object.type === 'mrkdwn') return renderMrkdwn(object.text, directory);
  const markup = esc(object.text).replace(/\n/g, '<br>');
  return fromMarkup(object.emoji === false ? markup : emojify(markup));
}

const plainOf = (object: TextObject | undefined): string =>
  object && typeof object === 'object' ? String(object.text ?? '') : '';

// ----------------------------------------------------------------------------------------------------------------
// rich_text  https://docs.slack.dev/reference/block-kit/blocks/rich-text-block

function richInline(element: RichTextElement | undefined, directory: Directory, inPre: boolean): Child {
  switch (element?.type) {
    case 'text': {
      const text = String(element.text ?? '');
      let node: Child = inPre ? text : withBreaks(text);
      const style = typeof element.style === 'object' ? element.style : {};
      if (style.code) node = h('code', null, node);
      if (style.bold) node = h('b', null, node);
      if (style.italic) node = h('i', null, node);
      if (style.strike) node = h('s', null, node);
      return node;
    }
    case 'link': {
      const url = String(element.url ?? '');
      const text = String(element.text ?? url);
      return SAFE_URL.test(url) ? link(url, text) : text;
    }
    case 'user':
      return renderSequence(`@${element.user_id ?? ''}`, directory);
    case 'channel':
      return renderSequence(`#${element.channel_id ?? ''}`, directory);
    case 'usergroup':
      return renderSequence(`!subteam^${element.usergroup_id ?? ''}`, directory);
    case 'broadcast':
      return h('span', { class: 'mention special-mention' }, `@${element.range ?? ''}`);
    case 'emoji':
      return emojiNode(String(element.name)) ?? `:${element.name}:`;
    case 'date':
      return h('time', null, formatSlackDate(element.timestamp, String(element.format ?? ''), element.fallback ?? ''));
    default:
      return null;
  }
}

const richInlines = (elements: unknown, directory: Directory, inPre = false): Child[] =>
  (Array.isArray(elements) ? (elements as RichTextElement[]) : []).map((e) => richInline(e, directory, inPre));

function richElement(element: RichTextElement | undefined, directory: Directory): Child {
  switch (element?.type) {
    case 'rich_text_section':
      return h('div', { class: 'rt-section' }, richInlines(element.elements, directory));
    case 'rich_text_preformatted':
      return pre(richInlines(element.elements, directory, true));
    case 'rich_text_quote':
      return h('blockquote', null, richInlines(element.elements, directory));
    case 'rich_text_list': {
      const items = (element.elements ?? []).map((item) => h('li', null, richInlines(item.elements, directory)));
      const indent = Math.min(5, Math.max(0, Number(element.indent) || 0));
      return h(element.style === 'ordered' ? 'ol' : 'ul', { class: `rt-list indent-${indent}` }, items);
    }
    default:
      return null;
  }
}

// ----------------------------------------------------------------------------------------------------------------
// Elements  https://docs.slack.dev/reference/block-kit/block-elements

/** `<option>`s for people or channels, from the directory's lists. */
const optionList = <T extends { readonly id: string }>(
  items: readonly T[],
  selected: string | undefined,
  label: (item: T) => string,
): Child[] => items.map((item) => h('option', { value: item.id, selected: selected === item.id }, label(item)));

const elementAttrs = (element: BlockElement, blockId: string) => ({
  'data-block-id': blockId,
  'data-action-id': element.action_id ?? '',
  'data-element': element.type ?? '',
});

/** A select with its placeholder as the first, empty choice. */
const picker = (element: BlockElement, blockId: string, placeholder: string, options: Child[]) =>
  h('select', { class: 'picker', ...elementAttrs(element, blockId) }, h('option', { value: '' }, placeholder), options);

/** One interactive element. `lists` gives the people and channels pickers offer. */
export function renderElement(
  element: BlockElement,
  blockId: string,
  directory: Directory = NO_DIRECTORY,
  lists: Lists = NO_LISTS,
): HTMLElement {
  const attrs = elementAttrs(element, blockId);
  const placeholder = plainOf(element.placeholder);
  switch (element.type) {
    case 'button': {
      const style = element.style === 'primary' || element.style === 'danger' ? ` btn-${element.style}` : '';
      const url = String(element.url ?? '');
      const text = typeof element.text === 'object' ? element.text : undefined;
      if (url !== '' && SAFE_URL.test(url)) {
        return h(
          'a',
          { class: `btn${style}`, href: url, target: '_blank', rel: 'noopener noreferrer', ...attrs },
          renderText(text),
        );
      }
      return h(
        'button',
        { type: 'button', class: `btn${style}`, ...attrs, 'data-value': element.value ?? '' },
        renderText(text),
      );
    }
    case 'static_select':
      return picker(
        element,
        blockId,
        placeholder || 'Choose…',
        (element.options ?? []).map((o) =>
          h('option', { value: o.value ?? '', 'data-text': plainOf(o.text) }, plainOf(o.text)),
        ),
      );
    case 'users_select':
      return picker(
        element,
        blockId,
        placeholder || 'Pick a person',
        optionList(lists.people, element.initial_user, (p) => `@${p.handle} — ${p.name}`),
      );
    case 'conversations_select':
    case 'channels_select':
      return picker(
        element,
        blockId,
        placeholder || 'Pick a channel',
        optionList(lists.channels, element.initial_conversation ?? element.initial_channel, (c) => `#${c.name}`),
      );
    case 'multi_users_select':
    case 'multi_conversations_select':
    case 'multi_channels_select': {
      const initial = new Set(element.initial_users ?? element.initial_conversations ?? element.initial_channels ?? []);
      const chip = (id: string, label: string) =>
        h(
          'label',
          { class: 'chip' },
          h('input', { type: 'checkbox', value: id, checked: initial.has(id) }),
          h('span', null, label),
        );
      const chips =
        element.type === 'multi_users_select'
          ? lists.people.map((p) => chip(p.id, `@${p.handle}`))
          : lists.channels.map((c) => chip(c.id, `#${c.name}`));
      return h('div', { class: 'chips', role: 'group', 'aria-label': placeholder, ...attrs }, chips);
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const kind = element.type === 'checkboxes' ? 'checkbox' : 'radio';
      const name = `${blockId}-${element.action_id}`;
      const options = (element.options ?? []).map((o) =>
        h(
          'label',
          { class: 'check' },
          h('input', { type: kind, name, value: o.value ?? '', 'data-text': plainOf(o.text) }),
          h(
            'span',
            null,
            renderText(o.text, directory),
            o.description && h('small', null, renderText(o.description, directory)),
          ),
        ),
      );
      return h('div', { class: 'checks', ...attrs }, options);
    }
    case 'plain_text_input': {
      const value = element.initial_value ?? '';
      if (element.multiline) {
        // As parsed markup did, a newline straight after <textarea> is not part of its text.
        return h('textarea', { class: 'text-input', rows: 3, placeholder, ...attrs }, value.replace(/^\n/, ''));
      }
      return h('input', { class: 'text-input', type: 'text', placeholder, value, ...attrs });
    }
    case 'image':
      // No external images in the console; the alt text says what it is.
      return h('span', { class: 'image-alt', title: 'image' }, element.alt_text ?? 'image');
    case 'mrkdwn':
    case 'plain_text':
      return h('span', null, renderText(element as TextObject, directory));
    default:
      return h('span', { class: 'unsupported' }, `[${element.type ?? ''} not shown in the playground]`);
  }
}

// ----------------------------------------------------------------------------------------------------------------
// Blocks

export interface RenderOptions {
  readonly directory?: Directory;
  readonly lists?: Lists;
  /** From a modal's response_action: block id → message. */
  readonly errors?: Readonly<Record<string, unknown>>;
}

function renderBlock(
  block: Block | undefined,
  directory: Directory,
  lists: Lists,
  errors: RenderOptions['errors'],
): Child {
  const id = block?.block_id ?? '';
  const elements = (list: readonly BlockElement[] | undefined) =>
    (list ?? []).map((e) => renderElement(e, id, directory, lists));
  switch (block?.type) {
    case 'section':
      return h(
        'div',
        { class: 'block section' },
        h(
          'div',
          { class: 'section-body' },
          block.text && h('div', { class: 'section-text' }, renderText(block.text, directory)),
          Array.isArray(block.fields) &&
            h(
              'div',
              { class: 'fields' },
              block.fields.map((f) => h('div', null, renderText(f, directory))),
            ),
        ),
        block.accessory && h('div', { class: 'accessory' }, renderElement(block.accessory, id, directory, lists)),
      );
    case 'context':
      return h('div', { class: 'block context' }, elements(block.elements));
    case 'divider':
      return h('hr', { class: 'block divider' });
    case 'header':
      return h('h3', { class: 'block header' }, renderText(block.text, directory));
    case 'actions':
      return h('div', { class: 'block actions' }, elements(block.elements));
    case 'input': {
      const message = errors?.[id];
      const error = message ? h('div', { class: 'input-error', role: 'alert' }, String(message)) : undefined;
      return h(
        'div',
        { class: `block input${error ? ' has-error' : ''}`, 'data-input-block': id },
        h(
          'div',
          { class: 'label' },
          renderText(block.label, directory),
          block.optional && [' ', h('span', { class: 'optional' }, '(optional)')],
        ),
        renderElement(block.element ?? {}, id, directory, lists),
        block.hint && h('div', { class: 'hint' }, renderText(block.hint, directory)),
        error,
      );
    }
    case 'rich_text':
      return h(
        'div',
        { class: 'block rich-text' },
        richTextOf(block).map((e) => richElement(e, directory)),
      );
    case 'image':
      return h('div', { class: 'block image-alt' }, block.alt_text ?? 'image');
    default:
      return h('div', { class: 'block unsupported' }, `[${block?.type ?? ''} block not shown in the playground]`);
  }
}

/** Blocks → nodes. */
export function renderBlocks(blocks: unknown, options: RenderOptions = {}): Child[] {
  const directory = options.directory ?? NO_DIRECTORY;
  const lists = options.lists ?? NO_LISTS;
  return blocksOf(blocks).map((block) => renderBlock(block, directory, lists, options.errors));
}

/** A message: its blocks, or its text (mrkdwn) when it has none. */
export function renderMessage(
  message: { readonly text?: string; readonly blocks?: unknown } | undefined,
  options: RenderOptions = {},
): Child[] {
  if (Array.isArray(message?.blocks) && message.blocks.length > 0) return renderBlocks(message.blocks, options);
  return [
    h(
      'div',
      { class: 'block section' },
      h(
        'div',
        { class: 'section-body' },
        h('div', { class: 'section-text' }, renderMrkdwn(message?.text ?? '', options.directory)),
      ),
    ),
  ];
}

// ----------------------------------------------------------------------------------------------------------------
// State: what the inputs say, as Slack puts it in `view.state.values`

type ElementState = { readonly type: string } & Record<string, unknown>;

const option = (value: string, text: string) => ({ text: { type: 'plain_text', text, emoji: true }, value });

/** The value of an input, textarea or select (an element of another kind has none). */
const inputValue = (node: Element): string | undefined =>
  node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement || node instanceof HTMLSelectElement
    ? node.value
    : undefined;

/** The value state of an input element, as Slack puts it in `view.state.values`. */
export function elementState(node: HTMLElement): ElementState | undefined {
  const type = node.dataset.element ?? '';
  const value = inputValue(node);
  const checked = () => [...node.querySelectorAll<HTMLInputElement>('input:checked')];
  switch (type) {
    case 'static_select': {
      const chosen = node instanceof HTMLSelectElement ? node.selectedOptions[0] : undefined;
      return {
        type,
        selected_option: value === '' ? null : option(value ?? '', chosen?.dataset.text ?? chosen?.textContent ?? ''),
      };
    }
    case 'users_select':
      return { type, selected_user: value === '' ? null : value };
    case 'conversations_select':
      return { type, selected_conversation: value === '' ? null : value };
    case 'channels_select':
      return { type, selected_channel: value === '' ? null : value };
    case 'multi_users_select':
      return { type, selected_users: checked().map((i) => i.value) };
    case 'multi_conversations_select':
      return { type, selected_conversations: checked().map((i) => i.value) };
    case 'multi_channels_select':
      return { type, selected_channels: checked().map((i) => i.value) };
    case 'checkboxes':
      return { type, selected_options: checked().map((i) => option(i.value, i.dataset.text ?? '')) };
    case 'radio_buttons': {
      const chosen = checked()[0];
      return { type, selected_option: chosen ? option(chosen.value, chosen.dataset.text ?? '') : null };
    }
    case 'plain_text_input':
      return { type, value: value === '' ? null : value };
    default:
      return undefined;
  }
}

/** `view.state.values` from the input elements under `root`. */
export function collectState(root: ParentNode): Record<string, Record<string, ElementState>> {
  const values: Record<string, Record<string, ElementState>> = {};
  for (const node of root.querySelectorAll<HTMLElement>('[data-input-block] [data-element]')) {
    const state = elementState(node);
    if (state === undefined) continue;
    const blockId = node.dataset.blockId ?? '';
    values[blockId] ??= {};
    values[blockId][node.dataset.actionId ?? ''] = state;
  }
  return values;
}
