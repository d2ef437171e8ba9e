// Block Kit → HTML for the playground console. Pure functions from Slack payloads to HTML strings.
//
// Everything that comes from a payload is escaped before it is placed in the page: mrkdwn is escaped first, and only
// then are a few formats applied (bold, italic, strike, code, quotes, emoji, Slack's <…> sequences), each producing
// markup from already-escaped text. Links keep only http(s) and mailto targets.
// https://docs.slack.dev/reference/block-kit/blocks
// https://docs.slack.dev/messaging/formatting-message-text

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML content and (double- or single-quoted) attribute values. */
export const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);

/** Slack escapes only these three in message text. */
const decodeSlack = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The emoji the bot uses (and a few more): the character, and a plain symbol for machines without an emoji font. */
const EMOJI = {
  inbox_tray: ['📥', '⇩'],
  outbox_tray: ['📤', '⇧'],
  white_check_mark: ['✅', '✔'],
  heavy_check_mark: ['✔️', '✔'],
  no_entry: ['⛔', '⊘'],
  no_entry_sign: ['🚫', '⊘'],
  warning: ['⚠️', '⚠'],
  information_source: ['ℹ️', 'ℹ'],
  lock: ['🔒', '⚿'],
  key: ['🔑', '⚿'],
  link: ['🔗', '∞'],
  wave: ['👋', '☺'],
  tada: ['🎉', '★'],
  x: ['❌', '✘'],
  hourglass: ['⌛', '⌛'],
  hourglass_flowing_sand: ['⏳', '⌛'],
  page_facing_up: ['📄', '▤'],
  file_folder: ['📁', '▭'],
  gear: ['⚙️', '⚙'],
  eyes: ['👀', '◉'],
  calendar: ['📅', '▦'],
  rocket: ['🚀', '➚'],
};

let colorEmoji = true;

/** Whether this browser can draw colour emoji; without a font for them, emoji show as plain symbols instead. */
export function setColorEmoji(available) {
  colorEmoji = available;
}

function emojiHtml(name) {
  // Own keys only: `:constructor:` is not an emoji (and Object.prototype's members are not [character, symbol]).
  if (!Object.hasOwn(EMOJI, name)) return undefined;
  const known = EMOJI[name];
  const [character, symbol] = known;
  return colorEmoji
    ? `<span class="emoji" title=":${name}:">${character}</span>`
    : `<span class="emoji emoji-plain emoji-${name.replace(/_/g, '-')}" title=":${name}:">${symbol}</span>`;
}

/** `:name:` → the emoji, on already-escaped text. Unknown names stay as typed, as Slack shows missing emoji. */
const emojify = (html) => html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => emojiHtml(name) ?? whole);

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** Private-use characters mark where rendered pieces go back in; removed from input first so text cannot forge one. */
const SLOT_OPEN = '\uE000';
const SLOT_CLOSE = '\uE001';
const SLOTS = /\uE000(\d+)\uE001/g;

// ----------------------------------------------------------------------------------------------------------------
// Dates: <!date^1712345678^{date_short_pretty} at {time}|fallback>
// https://docs.slack.dev/messaging/formatting-message-text#date-formatting

const ordinal = (n) => {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
};

function dayDiff(at, now) {
  const start = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((start(at) - start(now)) / 86_400_000);
}

function pretty(at, now, otherwise) {
  const diff = dayDiff(at, now);
  if (diff === 0) return 'today';
  if (diff === -1) return 'yesterday';
  if (diff === 1) return 'tomorrow';
  return otherwise;
}

function dateTokens(at, now) {
  const month = at.toLocaleString('en-US', { month: 'long' });
  const monthShort = at.toLocaleString('en-US', { month: 'short' });
  const weekday = at.toLocaleString('en-US', { weekday: 'long' });
  const date = `${month} ${ordinal(at.getDate())}, ${at.getFullYear()}`;
  const dateShort = `${monthShort} ${at.getDate()}, ${at.getFullYear()}`;
  const dateLong = `${weekday}, ${date}`;
  const pad = (n) => String(n).padStart(2, '0');
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
  return {
    date_num: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    date,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: pretty(at, now, date),
    date_short_pretty: pretty(at, now, dateShort),
    date_long_pretty: pretty(at, now, dateLong),
    time: at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' }),
    time_secs: at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    ago: ago(),
  };
}

/** The date as Slack shows it to this reader (their time zone); the fallback when the format is not understood. */
export function formatSlackDate(seconds, format, fallback, now = new Date()) {
  const at = new Date(Number(seconds) * 1000);
  if (!Number.isFinite(at.getTime())) return fallback;
  const tokens = dateTokens(at, now);
  let known = true;
  const text = format.replace(/\{([a-z_]+)\}/g, (_, name) => {
    if (!Object.hasOwn(tokens, name)) {
      known = false;
      return '';
    }
    return tokens[name];
  });
  return known ? text : fallback;
}

// ----------------------------------------------------------------------------------------------------------------
// mrkdwn

/**
 * Names for ids, from the workspace directory: `{ user(id), channel(id), group(id) }`, each returning a name or
 * undefined. Without one, ids (or the labels Slack sent) are shown.
 */
const NO_DIRECTORY = { user: () => undefined, channel: () => undefined, group: () => undefined };

/** One Slack `<…>` sequence (its inside, still Slack-escaped) → HTML. */
function renderSequence(inside, directory) {
  const bar = inside.indexOf('|');
  const target = bar === -1 ? inside : inside.slice(0, bar);
  const label = bar === -1 ? undefined : decodeSlack(inside.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = directory.user(id) ?? label?.replace(/^@/, '') ?? id;
    return `<span class="mention" data-user="${esc(id)}">@${esc(name)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = directory.channel(id) ?? label?.replace(/^#/, '') ?? id;
    return `<button type="button" class="mention channel-mention" data-goto-channel="${esc(id)}">#${esc(name)}</button>`;
  }
  if (target.startsWith('!subteam^')) {
    const id = target.slice('!subteam^'.length);
    const name = directory.group(id) ?? label?.replace(/^@/, '') ?? id;
    return `<span class="mention group-mention" data-group="${esc(id)}">@${esc(name)}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, seconds = '', format = '', link] = target.split('^');
    const fallback = label ?? '';
    const text = formatSlackDate(seconds, decodeSlack(format), fallback);
    const at = new Date(Number(seconds) * 1000);
    const datetime = Number.isFinite(at.getTime()) ? at.toISOString() : '';
    const time = `<time datetime="${esc(datetime)}" title="${esc(fallback)}">${esc(text)}</time>`;
    return link !== undefined && SAFE_URL.test(decodeSlack(link))
      ? `<a href="${esc(decodeSlack(link))}" target="_blank" rel="noopener noreferrer">${time}</a>`
      : time;
  }
  if (target.startsWith('!')) {
    const name = target.slice(1).split('^')[0];
    return `<span class="mention special-mention">@${esc(label ?? name)}</span>`;
  }
  const url = decodeSlack(target);
  const text = label ?? url.replace(/^mailto:/i, '');
  if (!SAFE_URL.test(url)) return esc(text);
  return `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(text)}</a>`;
}

/** Apply *bold*, _italic_ and ~strike~ to escaped text; the markers must hug the text, as in Slack. */
function inlineFormats(html) {
  const wrap = (marker) =>
    new RegExp(
      `(^|[\\s(>\\uE001"'])\\${marker}(?=[^\\s${marker}])([^${marker}\\n]*?[^\\s${marker}])\\${marker}(?=$|[\\s).,;:!?<\\uE000"'])`,
      'g',
    );
  return html.replace(wrap('*'), '$1<b>$2</b>').replace(wrap('_'), '$1<i>$2</i>').replace(wrap('~'), '$1<s>$2</s>');
}

/** mrkdwn text (as Slack sends it) → HTML. */
export function renderMrkdwn(text, directory = NO_DIRECTORY) {
  const slots = [];
  const slot = (html) => `${SLOT_OPEN}${slots.push(html) - 1}${SLOT_CLOSE}`;
  let source = String(text ?? '').replace(/[\uE000\uE001]/g, '');
  // Slack's <…> sequences first: their insides are not mrkdwn.
  source = source.replace(/<([^<>\n]*)>/g, (_, inside) => slot(renderSequence(inside, directory)));
  // Escape everything else, then format.
  let html = esc(decodeSlack(source));
  html = html.replace(/```\n?([\s\S]*?)```/g, (_, code) => slot(`<pre class="code-block">${code}</pre>`));
  html = html.replace(/`([^`\n]+)`/g, (_, code) => slot(`<code>${code}</code>`));
  html = html
    .split('\n')
    .map((line) => (line.startsWith('&gt; ') || line === '&gt;' ? `<blockquote>${line.slice(5)}</blockquote>` : line))
    .join('\n');
  html = emojify(inlineFormats(html))
    .replace(/\n/g, '<br>')
    .replace(/<\/blockquote><br>/g, '</blockquote>');
  // Slots can hold slots (a mention inside code); restore until none are left.
  for (let i = 0; i < 3 && html.includes(SLOT_OPEN); i++) {
    html = html.replace(SLOTS, (_, n) => slots[Number(n)] ?? '');
  }
  return html;
}

/** A text object: mrkdwn or plain_text. */
export function renderText(object, directory = NO_DIRECTORY) {
  if (object === null || typeof object !== 'object') return '';
  if (object.type === 'mrkdwn') return renderMrkdwn(object.text, directory);
  const html = esc(object.text).replace(/\n/g, '<br>');
  return object.emoji === false ? html : emojify(html);
}

const plainOf = (object) => (object && typeof object === 'object' ? String(object.text ?? '') : '');

// ----------------------------------------------------------------------------------------------------------------
// rich_text  https://docs.slack.dev/reference/block-kit/blocks/rich-text-block

function richInline(element, directory, inPre) {
  switch (element?.type) {
    case 'text': {
      let html = esc(element.text);
      if (!inPre) html = html.replace(/\n/g, '<br>');
      const style = element.style ?? {};
      if (style.code) html = `<code>${html}</code>`;
      if (style.bold) html = `<b>${html}</b>`;
      if (style.italic) html = `<i>${html}</i>`;
      if (style.strike) html = `<s>${html}</s>`;
      return html;
    }
    case 'link': {
      const url = String(element.url ?? '');
      const text = esc(element.text ?? url);
      return SAFE_URL.test(url) ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${text}</a>` : text;
    }
    case 'user':
      return renderSequence(`@${element.user_id ?? ''}`, directory);
    case 'channel':
      return renderSequence(`#${element.channel_id ?? ''}`, directory);
    case 'usergroup':
      return renderSequence(`!subteam^${element.usergroup_id ?? ''}`, directory);
    case 'broadcast':
      return `<span class="mention special-mention">@${esc(element.range)}</span>`;
    case 'emoji':
      return emojiHtml(String(element.name)) ?? esc(`:${element.name}:`);
    case 'date':
      return `<time>${esc(formatSlackDate(element.timestamp, String(element.format ?? ''), element.fallback ?? ''))}</time>`;
    default:
      return '';
  }
}

const richInlines = (elements, directory, inPre = false) =>
  (Array.isArray(elements) ? elements : []).map((e) => richInline(e, directory, inPre)).join('');

function richElement(element, directory) {
  switch (element?.type) {
    case 'rich_text_section':
      return `<div class="rt-section">${richInlines(element.elements, directory)}</div>`;
    case 'rich_text_preformatted':
      return `<pre class="code-block">${richInlines(element.elements, directory, true)}</pre>`;
    case 'rich_text_quote':
      return `<blockquote>${richInlines(element.elements, directory)}</blockquote>`;
    case 'rich_text_list': {
      const tag = element.style === 'ordered' ? 'ol' : 'ul';
      const items = (element.elements ?? []).map((item) => `<li>${richInlines(item.elements, directory)}</li>`);
      const indent = Math.min(5, Math.max(0, Number(element.indent) || 0));
      return `<${tag} class="rt-list indent-${indent}">${items.join('')}</${tag}>`;
    }
    default:
      return '';
  }
}

// ----------------------------------------------------------------------------------------------------------------
// Elements  https://docs.slack.dev/reference/block-kit/block-elements

/** `<option>`s for people or channels, from the directory's lists. */
const optionList = (items, selected, label) =>
  items
    .map(
      (item) =>
        `<option value="${esc(item.id)}"${selected === item.id ? ' selected' : ''}>${esc(label(item))}</option>`,
    )
    .join('');

function elementAttrs(element, blockId) {
  return `data-block-id="${esc(blockId)}" data-action-id="${esc(element.action_id ?? '')}" data-element="${esc(element.type)}"`;
}

/** One interactive element. `lists` gives the people and channels pickers offer. */
export function renderElement(element, blockId, directory = NO_DIRECTORY, lists = { people: [], channels: [] }) {
  const attrs = elementAttrs(element, blockId);
  const placeholder = plainOf(element.placeholder);
  switch (element.type) {
    case 'button': {
      const style = element.style === 'primary' || element.style === 'danger' ? ` btn-${element.style}` : '';
      const url = String(element.url ?? '');
      if (url !== '' && SAFE_URL.test(url)) {
        return `<a class="btn${style}" href="${esc(url)}" target="_blank" rel="noopener noreferrer" ${attrs}>${renderText(element.text)}</a>`;
      }
      return `<button type="button" class="btn${style}" ${attrs} data-value="${esc(element.value ?? '')}">${renderText(element.text)}</button>`;
    }
    case 'static_select': {
      const options = (element.options ?? [])
        .map(
          (o) => `<option value="${esc(o.value)}" data-text="${esc(plainOf(o.text))}">${esc(plainOf(o.text))}</option>`,
        )
        .join('');
      return `<select class="picker" ${attrs}><option value="">${esc(placeholder || 'Choose…')}</option>${options}</select>`;
    }
    case 'users_select':
      return `<select class="picker" ${attrs}><option value="">${esc(placeholder || 'Pick a person')}</option>${optionList(lists.people, element.initial_user, (p) => `@${p.handle} — ${p.name}`)}</select>`;
    case 'conversations_select':
    case 'channels_select':
      return `<select class="picker" ${attrs}><option value="">${esc(placeholder || 'Pick a channel')}</option>${optionList(lists.channels, element.initial_conversation ?? element.initial_channel, (c) => `#${c.name}`)}</select>`;
    case 'multi_users_select':
    case 'multi_conversations_select':
    case 'multi_channels_select': {
      const people = element.type === 'multi_users_select';
      const items = people ? lists.people : lists.channels;
      const initial = new Set(element.initial_users ?? element.initial_conversations ?? element.initial_channels ?? []);
      const chips = items
        .map(
          (item) =>
            `<label class="chip"><input type="checkbox" value="${esc(item.id)}"${initial.has(item.id) ? ' checked' : ''}><span>${esc(people ? `@${item.handle}` : `#${item.name}`)}</span></label>`,
        )
        .join('');
      return `<div class="chips" role="group" aria-label="${esc(placeholder)}" ${attrs}>${chips}</div>`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const kind = element.type === 'checkboxes' ? 'checkbox' : 'radio';
      const name = `${blockId}-${element.action_id}`;
      const options = (element.options ?? [])
        .map(
          (o) =>
            `<label class="check"><input type="${kind}" name="${esc(name)}" value="${esc(o.value)}" data-text="${esc(plainOf(o.text))}"><span>${renderText(o.text, directory)}${o.description ? `<small>${renderText(o.description, directory)}</small>` : ''}</span></label>`,
        )
        .join('');
      return `<div class="checks" ${attrs}>${options}</div>`;
    }
    case 'plain_text_input': {
      const value = esc(element.initial_value ?? '');
      return element.multiline
        ? `<textarea class="text-input" rows="3" placeholder="${esc(placeholder)}" ${attrs}>${value}</textarea>`
        : `<input class="text-input" type="text" placeholder="${esc(placeholder)}" value="${value}" ${attrs}>`;
    }
    case 'image':
      // No external images in the console; the alt text says what it is.
      return `<span class="image-alt" title="image">${esc(element.alt_text ?? 'image')}</span>`;
    case 'mrkdwn':
    case 'plain_text':
      return `<span>${renderText(element, directory)}</span>`;
    default:
      return `<span class="unsupported">[${esc(element.type)} not shown in the playground]</span>`;
  }
}

// ----------------------------------------------------------------------------------------------------------------
// Blocks

/** Blocks → HTML. `errors` (from a modal's response_action) maps block ids to messages. */
export function renderBlocks(blocks, options = {}) {
  const directory = options.directory ?? NO_DIRECTORY;
  const lists = options.lists ?? { people: [], channels: [] };
  const errors = options.errors ?? {};
  return (Array.isArray(blocks) ? blocks : [])
    .map((block) => {
      const id = block?.block_id ?? '';
      switch (block?.type) {
        case 'section': {
          const text = block.text ? `<div class="section-text">${renderText(block.text, directory)}</div>` : '';
          const fields = Array.isArray(block.fields)
            ? `<div class="fields">${block.fields.map((f) => `<div>${renderText(f, directory)}</div>`).join('')}</div>`
            : '';
          const accessory = block.accessory
            ? `<div class="accessory">${renderElement(block.accessory, id, directory, lists)}</div>`
            : '';
          return `<div class="block section">${`<div class="section-body">${text}${fields}</div>`}${accessory}</div>`;
        }
        case 'context':
          return `<div class="block context">${(block.elements ?? []).map((e) => renderElement(e, id, directory, lists)).join('')}</div>`;
        case 'divider':
          return '<hr class="block divider">';
        case 'header':
          return `<h3 class="block header">${renderText(block.text, directory)}</h3>`;
        case 'actions':
          return `<div class="block actions">${(block.elements ?? []).map((e) => renderElement(e, id, directory, lists)).join('')}</div>`;
        case 'input': {
          const error = errors[id] ? `<div class="input-error" role="alert">${esc(errors[id])}</div>` : '';
          const hint = block.hint ? `<div class="hint">${renderText(block.hint, directory)}</div>` : '';
          const optional = block.optional ? ' <span class="optional">(optional)</span>' : '';
          return `<div class="block input${error ? ' has-error' : ''}" data-input-block="${esc(id)}"><div class="label">${renderText(block.label, directory)}${optional}</div>${renderElement(block.element ?? {}, id, directory, lists)}${hint}${error}</div>`;
        }
        case 'rich_text':
          return `<div class="block rich-text">${(block.elements ?? []).map((e) => richElement(e, directory)).join('')}</div>`;
        case 'image':
          return `<div class="block image-alt">${esc(block.alt_text ?? 'image')}</div>`;
        default:
          return `<div class="block unsupported">[${esc(block?.type)} block not shown in the playground]</div>`;
      }
    })
    .join('');
}

/** A message: its blocks, or its text (mrkdwn) when it has none. */
export function renderMessage(message, options = {}) {
  if (Array.isArray(message?.blocks) && message.blocks.length > 0) return renderBlocks(message.blocks, options);
  return `<div class="block section"><div class="section-body"><div class="section-text">${renderMrkdwn(message?.text ?? '', options.directory)}</div></div></div>`;
}

/** The value state of an input element, as Slack puts it in `view.state.values`. */
export function elementState(node) {
  const type = node.dataset.element;
  const checked = () => [...node.querySelectorAll('input:checked')];
  const option = (value, text) => ({ text: { type: 'plain_text', text, emoji: true }, value });
  switch (type) {
    case 'static_select': {
      const chosen = node.selectedOptions[0];
      return {
        type,
        selected_option:
          node.value === '' ? null : option(node.value, chosen?.dataset.text ?? chosen?.textContent ?? ''),
      };
    }
    case 'users_select':
      return { type, selected_user: node.value === '' ? null : node.value };
    case 'conversations_select':
      return { type, selected_conversation: node.value === '' ? null : node.value };
    case 'channels_select':
      return { type, selected_channel: node.value === '' ? null : node.value };
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
      return { type, value: node.value === '' ? null : node.value };
    default:
      return undefined;
  }
}

/** `view.state.values` from the input elements under `root`. */
export function collectState(root) {
  const values = {};
  for (const node of root.querySelectorAll('[data-input-block] [data-element]')) {
    const state = elementState(node);
    if (state === undefined) continue;
    const blockId = node.dataset.blockId;
    values[blockId] ??= {};
    values[blockId][node.dataset.actionId] = state;
  }
  return values;
}
