// The playground console: plays Slack for one person at a time. Everything it does as that person goes to the
// playground server, which signs it as Slack would and posts it to the bot; what the bot sends back arrives as
// server-sent events and is rendered from its Block Kit (blocks.ts). The page is built with dom.ts, so whatever the
// server or the bot says only ever becomes text.
import type { ErrorResponse, FeedEntry, GetRoutes, PostRoutes, WorkspaceEvent } from '../../console-api.js';
import type { Role } from '../../directory.js';
import {
  type Block,
  blocksOf,
  type ConfirmObject,
  collectState,
  renderBlocks,
  renderMessage,
  richTextOf,
  setColorEmoji,
  type TextObject,
  type View,
} from './blocks.js';
import { byId, type Child, fill, find, h } from './dom.js';
import {
  COMMAND,
  channel,
  currentChannelId,
  directory,
  dmId,
  lists,
  me,
  type Place,
  person,
  sharedChannels,
  state,
  visibleTo,
} from './state.js';

/** The page's fixed elements (index.html). */
const ui = {
  people: byId('people', HTMLDivElement),
  channelList: byId('channel-list', HTMLDivElement),
  dmList: byId('dm-list', HTMLDivElement),
  appList: byId('app-list', HTMLDivElement),
  sidebarFoot: byId('sidebar-foot', HTMLDivElement),
  mainHead: byId('main-head', HTMLElement),
  feed: byId('feed', HTMLElement),
  home: byId('home', HTMLElement),
  composer: byId('composer', HTMLFormElement),
  composerInput: byId('composer-input', HTMLInputElement),
  composerHelp: byId('composer-help', HTMLDivElement),
  bucketName: byId('bucket-name', HTMLDivElement),
  bucketRefresh: byId('bucket-refresh', HTMLButtonElement),
  bucketList: byId('bucket-list', HTMLDivElement),
  log: byId('log', HTMLPreElement),
  logCount: byId('log-count', HTMLSpanElement),
  where: byId('where', HTMLElement),
  modal: byId('modal', HTMLDivElement),
  confirm: byId('confirm', HTMLDivElement),
  toast: byId('toast', HTMLDivElement),
};

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

async function request(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((json as Partial<ErrorResponse> | null)?.error ?? `HTTP ${response.status}`);
  return json;
}

/** The server's JSON routes, typed by console-api.ts (which the server's handlers are checked against too). */
const get = <P extends keyof GetRoutes>(path: P) => request(path) as Promise<GetRoutes[P]>;
const post = <P extends keyof PostRoutes>(path: P, body: PostRoutes[P]['request']) =>
  request(path, body) as Promise<PostRoutes[P]['response']>;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(text: string, kind: 'info' | 'error' = 'info') {
  const node = ui.toast;
  node.textContent = text;
  node.className = `toast toast-${kind}`;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 4000);
}

function formatSize(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(size < 10 * 1024 ? 1 : 0)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

const timeOf = (ts: string) =>
  new Date(Number(String(ts).split('.')[0]) * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

/** "Ada Admin" → "Ad": two letters of the first name, so Ada and Alice differ. */
const initials = (name: string) => name.slice(0, 2);

/** Whether a colour emoji font is there: draw one and look for coloured pixels (a missing glyph is grey). */
function colorEmojiAvailable(): boolean {
  const canvas = document.createElement('canvas');
  canvas.width = 24;
  canvas.height = 24;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return true;
  context.textBaseline = 'top';
  context.font = '20px sans-serif';
  context.fillText('\u{1F4E5}', 0, 0);
  const pixels = context.getImageData(0, 0, 24, 24).data;
  const at = (i: number) => pixels[i] ?? 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (at(i + 3) > 0 && (at(i) !== at(i + 1) || at(i + 1) !== at(i + 2))) return true;
  }
  return false;
}

function avatar(who: string): HTMLElement {
  if (who === 'bot') return h('div', { class: 'avatar avatar-bot', 'aria-hidden': 'true' }, '⬆');
  if (who === 'slack') return h('div', { class: 'avatar avatar-slack', 'aria-hidden': 'true' }, '✱');
  const p = person(who);
  // Colour by role; classes rather than inline styles, which the console's CSP does not allow.
  return h('div', { class: `avatar avatar-${p?.role ?? 'unknown'}`, 'aria-hidden': 'true' }, initials(p?.name ?? '?'));
}

const botName = () => state.bot?.name ?? 'upload-link';
const appTag = () => h('span', { class: 'app-tag' }, 'APP');

// ---------------------------------------------------------------------------------------------------------------
// Sidebar

function renderSidebar() {
  fill(
    ui.people,
    state.people.map((p) =>
      h(
        'button',
        {
          type: 'button',
          class: `person${p.id === state.me ? ' active' : ''}`,
          role: 'radio',
          'aria-checked': String(p.id === state.me),
          'data-person': p.handle,
          'data-person-id': p.id,
        },
        avatar(p.id),
        h(
          'span',
          { class: 'person-text' },
          h('span', { class: 'person-name' }, p.name),
          h('span', { class: 'person-role' }, p.description),
        ),
      ),
    ),
  );
  const item = (place: Place, label: Child, extra: Child = null) => {
    const active = state.place === place;
    const unread = state.unread.get(`${state.me}:${place === 'dm' ? dmId(state.me) : place}`) ?? 0;
    const showUnread = unread > 0 && !active;
    return h(
      'button',
      {
        type: 'button',
        class: `nav-item${active ? ' active' : ''}${showUnread ? ' has-unread' : ''}`,
        'data-place': place,
      },
      label,
      extra,
      showUnread && h('span', { class: 'unread' }, String(unread)),
    );
  };
  fill(
    ui.channelList,
    sharedChannels().map((c) =>
      item(
        c.id,
        [h('span', { class: 'hash' }, '#'), c.name],
        !c.botIsMember && h('span', { class: 'muted-tag', title: 'The bot is not a member' }, 'no bot'),
      ),
    ),
  );
  fill(ui.dmList, item('dm', [h('span', { class: 'dot' }), botName(), appTag()]));
  fill(ui.appList, item('home', [h('span', { class: 'app-icon' }, '⬆'), `${botName()} Home`]));
  fill(
    ui.sidebarFoot,
    state.ready
      ? [h('span', { class: 'status-dot' }), ' Bot running']
      : [h('span', { class: 'status-dot off' }), ' Connecting…'],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Main pane: a channel's messages, or the App Home

function renderHead() {
  if (state.place === 'home') {
    fill(
      ui.mainHead,
      h('div', { class: 'head-title' }, h('span', { class: 'app-icon big' }, '⬆'), botName()),
      h(
        'div',
        { class: 'tabs' },
        h('span', { class: 'tab active' }, 'Home'),
        h('button', { type: 'button', class: 'tab', 'data-place': 'dm' }, 'Messages'),
      ),
    );
    return;
  }
  const c = channel(currentChannelId());
  const title =
    c?.kind === 'dm'
      ? [h('span', { class: 'app-icon big' }, '⬆'), botName(), appTag()]
      : [h('span', { class: 'hash' }, '#'), c?.name ?? ''];
  fill(
    ui.mainHead,
    h('div', { class: 'head-title' }, title),
    h('div', { class: 'head-topic' }, c?.topic ?? ''),
    h('div', { class: 'head-as' }, 'Viewing as ', avatar(state.me), h('b', null, me()?.name ?? '')),
  );
}

function renderMain() {
  const home = state.place === 'home';
  ui.feed.hidden = home;
  ui.composer.hidden = home;
  ui.home.hidden = !home;
  renderHead();
  if (home) renderHome();
  else renderFeed();
  renderComposerHelp();
}

function renderFeed() {
  const channelId = currentChannelId();
  const entries = [...state.feed.values()].filter((e) => e.channel === channelId && visibleTo(e, state.me));
  fill(ui.feed, entries.length === 0 ? intro() : entries.map(entryNode));
  ui.feed.scrollTop = ui.feed.scrollHeight;
}

/** Commands worth trying, for each kind of person: what to type after the command, and why. */
const TIPS: Record<Role, readonly (readonly [text: string, why: string])[]> = {
  admin: [
    ['help', 'see every command, admin ones too'],
    ['allow @stranger', 'let Sam create links in this channel'],
    ['allow @designers #acme', 'let a whole user group in'],
    ['report.pdf 2h', 'create a link valid for 2 hours'],
  ],
  allowed: [
    ['report.pdf', 'create a link (default expiry)'],
    ['"Q3 figures.xlsx" 2h', 'quote names with spaces'],
    ['contract.pdf 1d once', 'a partner page that closes after one file'],
  ],
  stranger: [
    ['report.pdf', 'you will be refused until an admin allows you'],
    ['help', 'what the command does'],
  ],
  'group-member': [
    ['report.pdf', 'refused until an admin allows @designers'],
    ['help', 'what the command does'],
  ],
};

function intro(): HTMLElement {
  const c = channel(currentChannelId());
  const where = c?.kind === 'dm' ? 'your direct messages with the bot' : `#${c?.name ?? ''}`;
  const role = me()?.role;
  const tips = (role === undefined ? undefined : TIPS[role]) ?? [['help', '']];
  return h(
    'div',
    { class: 'intro' },
    h('div', { class: 'intro-title' }, `This is ${where}`),
    h(
      'p',
      null,
      'You are ',
      h('b', null, me()?.name ?? ''),
      ` (${me()?.description ?? ''}). Type a `,
      h('code', null, COMMAND),
      " command below; only you see the bot's replies, as in Slack.",
    ),
    h(
      'ul',
      { class: 'intro-tips' },
      tips.map(([text, why]) =>
        h(
          'li',
          null,
          h('button', { type: 'button', class: 'chip-cmd', 'data-fill': text }, `${COMMAND} ${text}`),
          h('span', null, why),
        ),
      ),
    ),
  );
}

/** The raw PUT URL and the partner page address of an upload link reply, when it has them. */
function uploadLinks(blocks: readonly Block[]): { raw: string | undefined; partner: string | undefined } {
  let raw: string | undefined;
  let partner: string | undefined;
  for (const block of blocks) {
    if (block.type === 'rich_text') {
      for (const element of richTextOf(block)) {
        if (element.type !== 'rich_text_preformatted') continue;
        const text = (element.elements ?? []).map((e) => e.text ?? '').join('');
        if (raw === undefined && /^https?:\/\//.test(text) && text.includes('X-Amz-Signature')) raw = text;
      }
    }
    const mrkdwn = block.type === 'section' ? (block.text?.text ?? '') : '';
    const match = /<(https?:\/\/[^|>\s]+\/u\/[A-Za-z0-9_-]{22})(?:\|[^>]*)?>/.exec(mrkdwn);
    if (match?.[1] !== undefined && partner === undefined) partner = match[1].replace(/&amp;/g, '&');
  }
  return { raw, partner };
}

/** Entry id → the raw PUT URL in it. */
const rawUrls = new Map<number, string>();

type BotEntry = Extract<FeedEntry, { kind: 'ephemeral' | 'message' }>;

function toolsFor(entry: BotEntry): HTMLElement | undefined {
  const { raw, partner } = uploadLinks(blocksOf(entry.message.blocks));
  if (raw === undefined && partner === undefined) return undefined;
  if (raw !== undefined) rawUrls.set(entry.id, raw);
  return h(
    'div',
    { class: 'tools', 'data-tools': true },
    h('span', { class: 'tools-tag', title: "Not part of Slack: the playground's shortcuts" }, 'Try it'),
    raw !== undefined && [
      h(
        'label',
        { class: 'btn btn-small file-pick' },
        h('input', { type: 'file', 'data-raw-file': true }),
        'Choose a file…',
      ),
      h('span', { class: 'file-name', 'data-file-name': true }, 'No file chosen'),
      h(
        'button',
        { type: 'button', class: 'btn btn-small btn-primary', 'data-raw-put': true, disabled: true },
        'PUT to the raw URL',
      ),
    ],
    partner !== undefined &&
      h(
        'a',
        { class: 'btn btn-small', 'data-partner-link': true, href: partner, target: '_blank', rel: 'noopener' },
        'Open partner page ↗',
      ),
    h('div', { class: 'tools-status', 'data-tools-status': true, role: 'status' }),
  );
}

const VIA: Record<BotEntry['via'], string> = {
  reply: 'command reply',
  response_url: 'response_url',
  'chat.postMessage': 'chat.postMessage',
};

function entryNode(entry: FeedEntry): HTMLElement {
  const article = (className: string, ...children: Child[]) =>
    h('article', { 'data-entry': String(entry.id), 'data-kind': entry.kind, class: className }, ...children);
  const onlyYou = () => h('span', { class: 'only-you' }, 'Only visible to you');
  const meta = (author: string, ...rest: Child[]) =>
    h('div', { class: 'msg-meta' }, h('span', { class: 'msg-author' }, author), ...rest);
  if (entry.kind === 'command') {
    const typedArgs = entry.typed.slice(COMMAND.length).trim();
    return article(
      'msg msg-command',
      avatar(entry.user),
      h(
        'div',
        { class: 'msg-body' },
        meta(person(entry.user)?.name ?? entry.user, h('time', null, timeOf(entry.ts)), onlyYou()),
        h(
          'div',
          { class: 'msg-content' },
          h('code', { class: 'cmd' }, entry.typed),
          entry.sent !== typedArgs &&
            h(
              'div',
              { class: 'sent-as', title: 'What Slack sends the bot, with mentions escaped' },
              'sent as ',
              h('code', null, entry.sent),
            ),
        ),
      ),
    );
  }
  if (entry.kind === 'slack-error') {
    return article(
      'msg msg-ephemeral msg-error',
      avatar('slack'),
      h(
        'div',
        { class: 'msg-body' },
        meta('Slackbot', h('time', null, timeOf(entry.ts)), onlyYou()),
        h('div', { class: 'msg-content' }, entry.text),
      ),
    );
  }
  return article(
    `msg ${entry.kind === 'ephemeral' ? 'msg-ephemeral' : 'msg-channel'}`,
    avatar('bot'),
    h(
      'div',
      { class: 'msg-body' },
      meta(
        botName(),
        appTag(),
        h('time', null, timeOf(entry.ts)),
        entry.kind === 'ephemeral' && onlyYou(),
        h('span', { class: 'via', title: 'How the bot sent it' }, VIA[entry.via] ?? entry.via),
      ),
      h('div', { class: 'msg-content blocks' }, renderMessage(entry.message, { directory, lists: lists() })),
      toolsFor(entry),
    ),
  );
}

function upsertEntry(entry: FeedEntry) {
  const known = state.feed.has(entry.id);
  state.feed.set(entry.id, entry);
  const channelId = currentChannelId();
  if (entry.channel === channelId && visibleTo(entry, state.me)) {
    const feed = ui.feed;
    const existing = feed.querySelector(`[data-entry="${entry.id}"]`);
    if (existing) existing.replaceWith(entryNode(entry));
    else {
      feed.querySelector('.intro')?.remove();
      feed.append(entryNode(entry));
    }
    feed.scrollTop = feed.scrollHeight;
  } else if (!known) {
    // Unread counts for every person it is visible to, shown when they are the one being played.
    for (const p of state.people) {
      if (!visibleTo(entry, p.id) || entry.kind === 'command') continue;
      if (p.id === state.me && entry.channel === channelId) continue;
      const key = `${p.id}:${entry.channel}`;
      state.unread.set(key, (state.unread.get(key) ?? 0) + 1);
    }
    renderSidebar();
  }
}

function removeEntry(id: number) {
  state.feed.delete(id);
  ui.feed.querySelector(`[data-entry="${id}"]`)?.remove();
}

// ---------------------------------------------------------------------------------------------------------------
// App Home

/** A view as the bot published or opened it. */
const viewOf = (view: Record<string, unknown>): View => view as View;

function renderHome() {
  const home = state.homes[state.me];
  fill(
    ui.home,
    h(
      'div',
      { class: 'home-wrap' },
      home === undefined
        ? h(
            'div',
            { class: 'home-loading' },
            'Opening the Home tab… (the console sent ',
            h('code', null, 'app_home_opened'),
            '; the bot answers with ',
            h('code', null, 'views.publish'),
            ')',
          )
        : h(
            'div',
            { class: 'view blocks', 'data-view': home.viewId },
            renderBlocks(viewOf(home.view).blocks, { directory, lists: lists() }),
          ),
    ),
  );
}

async function openHome() {
  try {
    await post('/api/home-opened', { user: state.me });
  } catch (error) {
    toast(`Could not open the Home tab: ${messageOf(error)}`, 'error');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Modals and confirmation dialogs

function renderModal() {
  const overlay = ui.modal;
  const modal = state.modals[state.me];
  if (modal === undefined) {
    overlay.hidden = true;
    fill(overlay);
    return;
  }
  const view = viewOf(modal.view);
  const text = (object: TextObject | undefined, fallback: string) => String(object?.text ?? fallback);
  fill(
    overlay,
    h(
      'form',
      { class: 'dialog modal-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': text(view.title, 'Modal') },
      h(
        'div',
        { class: 'dialog-head' },
        h('h2', null, text(view.title, '')),
        h('button', { type: 'button', class: 'close', 'data-modal-close': true, 'aria-label': 'Close' }, '×'),
      ),
      h(
        'div',
        { class: 'dialog-body view blocks', 'data-view': modal.viewId },
        renderBlocks(view.blocks, { directory, lists: lists() }),
      ),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', 'data-modal-close': true }, text(view.close, 'Cancel')),
        view.submit &&
          h(
            'button',
            { type: 'submit', class: 'btn btn-primary', 'data-modal-submit': true },
            text(view.submit, 'Submit'),
          ),
      ),
    ),
  );
  overlay.hidden = false;
  overlay.querySelector<HTMLElement>('input, select, textarea')?.focus();
}

function showModalErrors(errors: Readonly<Record<string, unknown>>) {
  const form = find(ui.modal, 'form', HTMLFormElement);
  if (!form) return;
  for (const old of form.querySelectorAll('.input-error')) old.remove();
  for (const block of form.querySelectorAll('[data-input-block]')) block.classList.remove('has-error');
  for (const [blockId, message] of Object.entries(errors)) {
    const block = [...form.querySelectorAll<HTMLElement>('[data-input-block]')].find(
      (b) => b.dataset.inputBlock === blockId,
    );
    if (!block) continue;
    block.classList.add('has-error');
    block.append(h('div', { class: 'input-error', role: 'alert' }, String(message)));
  }
}

/** Slack's confirmation dialog for a button with `confirm`; resolves true when confirmed. */
function confirmDialog(confirm: ConfirmObject, buttonStyle: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const overlay = ui.confirm;
    const danger = confirm.style === 'danger' || buttonStyle === 'danger';
    const title = String(confirm.title?.text ?? 'Are you sure?');
    const deny = h(
      'button',
      { type: 'button', class: 'btn', 'data-deny': true },
      String(confirm.deny?.text ?? 'Cancel'),
    );
    const yes = h(
      'button',
      { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, 'data-confirm': true },
      String(confirm.confirm?.text ?? 'Yes'),
    );
    fill(
      overlay,
      h(
        'div',
        { class: 'dialog confirm-dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-label': title },
        h('div', { class: 'dialog-head' }, h('h2', null, title)),
        h('div', { class: 'dialog-body' }, h('p', null, String(confirm.text?.text ?? ''))),
        h('div', { class: 'dialog-actions' }, deny, yes),
      ),
    );
    overlay.hidden = false;
    const done = (answer: boolean) => {
      overlay.hidden = true;
      fill(overlay);
      document.removeEventListener('keydown', onKey);
      resolve(answer);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') done(false);
    };
    document.addEventListener('keydown', onKey);
    deny.addEventListener('click', () => done(false));
    yes.addEventListener('click', () => done(true));
    yes.focus();
  });
}

/** The button's own definition (for its confirm dialog), from the blocks it was rendered from. */
function buttonSpec(blocks: readonly Block[], blockId: string | undefined, actionId: string | undefined) {
  for (const block of blocks) {
    if (block.block_id !== blockId) continue;
    for (const element of [block.accessory, ...(block.elements ?? [])]) {
      if (element?.type === 'button' && element.action_id === actionId) return element;
    }
  }
  return undefined;
}

async function pressButton(button: HTMLButtonElement) {
  const blockId = button.dataset.blockId;
  const actionId = button.dataset.actionId;
  const entryElement = button.closest<HTMLElement>('[data-entry]');
  const inHome = button.closest('#home');
  const entry = entryElement ? state.feed.get(Number(entryElement.dataset.entry)) : undefined;
  const blocks =
    entry !== undefined
      ? entry.kind === 'ephemeral' || entry.kind === 'message'
        ? entry.message.blocks
        : undefined
      : inHome
        ? viewOf(state.homes[state.me]?.view ?? {}).blocks
        : undefined;
  const spec = buttonSpec(blocksOf(blocks), blockId, actionId);
  if (spec?.confirm && !(await confirmDialog(spec.confirm, spec.style))) return;
  button.disabled = true;
  button.classList.add('busy');
  try {
    if (entry) {
      await post('/api/message-action', {
        user: state.me,
        entry: entry.id,
        blockId: blockId ?? '',
        actionId: actionId ?? '',
      });
    } else if (inHome) {
      await post('/api/view-action', {
        user: state.me,
        blockId: blockId ?? '',
        actionId: actionId ?? '',
        values: collectState(ui.home),
      });
    }
  } catch (error) {
    toast(`That button failed: ${messageOf(error)}`, 'error');
  } finally {
    button.disabled = false;
    button.classList.remove('busy');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Composer

function renderComposerHelp() {
  const c = channel(currentChannelId());
  ui.composerInput.placeholder = `${COMMAND} report.pdf 2h   (in ${c?.kind === 'dm' ? 'your DM with the bot' : `#${c?.name ?? ''}`}, as ${me()?.name ?? ''})`;
  const mentions = [...state.people.map((p) => `@${p.handle}`), ...state.groups.map((g) => `@${g.handle}`)];
  const channels = sharedChannels().map((shared) => `#${shared.name}`);
  fill(
    ui.composerHelp,
    h('span', { class: 'help-label' }, 'Insert'),
    [...mentions, ...channels].map((text) =>
      h('button', { type: 'button', class: 'chip-insert', 'data-insert': text }, text),
    ),
    h(
      'span',
      { class: 'help-note' },
      "@names and #channels become Slack mentions, as when picked from Slack's suggestions. ↑ recalls the last command.",
    ),
  );
}

function fillComposer(text: string) {
  const input = ui.composerInput;
  input.value = `${COMMAND} ${text}`;
  input.focus();
}

function insertAtCursor(text: string) {
  const input = ui.composerInput;
  if (input.value.trim() === '') input.value = `${COMMAND} `;
  const start = input.selectionStart ?? input.value.length;
  const before = input.value.slice(0, start);
  const after = input.value.slice(input.selectionEnd ?? start);
  const spaced = `${before}${before === '' || before.endsWith(' ') ? '' : ' '}${text} `;
  input.value = spaced + after;
  input.focus();
  input.setSelectionRange(spaced.length, spaced.length);
}

async function sendCommand(event: SubmitEvent) {
  event.preventDefault();
  const input = ui.composerInput;
  const text = input.value.trim();
  if (text === '') return;
  if (!/^\/upload-link(\s|$)/.test(text)) {
    toast(`Only ${COMMAND} commands go to the bot here: start with ${COMMAND}.`, 'error');
    return;
  }
  state.history.unshift(text);
  state.historyAt = -1;
  input.value = '';
  const form = ui.composer;
  form.classList.add('sending');
  try {
    await post('/api/command', { user: state.me, channel: currentChannelId(), text });
  } catch (error) {
    toast(`Could not send: ${messageOf(error)}`, 'error');
  } finally {
    form.classList.remove('sending');
  }
}

function recall(event: KeyboardEvent) {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  const input = ui.composerInput;
  if (event.key === 'ArrowUp' && input.value !== '' && state.historyAt === -1) return;
  const next = state.historyAt + (event.key === 'ArrowUp' ? 1 : -1);
  if (next < -1 || next >= state.history.length) return;
  event.preventDefault();
  state.historyAt = next;
  input.value = next === -1 ? '' : (state.history[next] ?? '');
}

// ---------------------------------------------------------------------------------------------------------------
// Uploads through a reply's raw URL, straight from this page to S3 (the bucket's CORS allows this origin)

function s3Problem(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return code ? `${code}${message ? `: ${message}` : ''}` : xml.slice(0, 200);
}

async function putRaw(tools: Element, entryId: number) {
  const url = rawUrls.get(entryId);
  const file = find(tools, '[data-raw-file]', HTMLInputElement)?.files?.[0];
  const status = find(tools, '[data-tools-status]', HTMLDivElement);
  const button = find(tools, '[data-raw-put]', HTMLButtonElement);
  if (!url || !file || !status || !button) return;
  button.disabled = true;
  status.className = 'tools-status';
  status.textContent = `Uploading ${file.name} (${formatSize(file.size)})…`;
  try {
    const response = await fetch(url, { method: 'PUT', body: file });
    if (response.ok) {
      status.className = 'tools-status ok';
      status.dataset.result = 'ok';
      status.textContent = `✓ S3 stored ${formatSize(file.size)} (HTTP ${response.status}). It is in the bucket panel.`;
      refreshBucket();
    } else {
      status.className = 'tools-status bad';
      status.dataset.result = 'error';
      status.textContent = `S3 refused it (HTTP ${response.status}) — ${s3Problem(await response.text())}`;
    }
  } catch (error) {
    status.className = 'tools-status bad';
    status.dataset.result = 'error';
    status.textContent = `The upload failed: ${messageOf(error)}`;
  } finally {
    button.disabled = false;
    status.scrollIntoView({ block: 'nearest' });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bucket panel and log

let bucketTimer: ReturnType<typeof setTimeout> | undefined;
function refreshBucket() {
  clearTimeout(bucketTimer);
  bucketTimer = setTimeout(async () => {
    try {
      state.objects = await get('/api/objects');
      renderBucket();
    } catch (error) {
      fill(ui.bucketList, h('div', { class: 'empty' }, `Could not list the bucket: ${messageOf(error)}`));
    }
  }, 150);
}

function renderBucket() {
  ui.bucketName.textContent = state.s3
    ? `${state.s3.bucket} · ${state.objects.length} object${state.objects.length === 1 ? '' : 's'}`
    : '';
  if (state.objects.length === 0) {
    fill(ui.bucketList, h('div', { class: 'empty' }, 'No objects yet. Create a link, then upload a file through it.'));
    return;
  }
  fill(
    ui.bucketList,
    h(
      'ul',
      { class: 'objects' },
      state.objects.map((o) => {
        const slash = o.key.lastIndexOf('/');
        const at = new Date(o.lastModified).toLocaleTimeString([], {
          hour: 'numeric',
          minute: '2-digit',
          second: '2-digit',
        });
        return h(
          'li',
          { class: 'object', 'data-key': o.key },
          h(
            'div',
            { class: 'object-key', title: o.key },
            h('span', { class: 'object-folder' }, o.key.slice(0, slash + 1)),
            h('span', { class: 'object-name' }, o.key.slice(slash + 1)),
          ),
          h(
            'div',
            { class: 'object-meta' },
            h('span', { class: 'object-size' }, formatSize(o.size)),
            h('span', null, o.contentType),
            h('span', null, at),
            h('a', { href: `/api/object?key=${encodeURIComponent(o.key)}`, download: true }, 'Download'),
          ),
        );
      }),
    ),
  );
}

function renderLog() {
  const log = ui.log;
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.textContent = state.logs.join('\n');
  ui.logCount.textContent = `${state.logs.length} lines`;
  if (nearBottom) log.scrollTop = log.scrollHeight;
}

function renderWhere() {
  if (!state.urls) return;
  const row = (label: string, value: string) =>
    h('div', { class: 'where-row' }, h('span', { class: 'where-label' }, label), h('code', null, value));
  fill(
    ui.where,
    h('div', { class: 'panel-title' }, 'Where things are'),
    row('Bot', `${state.urls.bot}/slack/events`),
    row('S3', state.urls.s3),
    row('Slack API', state.urls.slack),
    h(
      'p',
      { class: 'where-note' },
      "Everything you do here is signed with the bot's signing secret and posted to its Slack endpoint, exactly as Slack would.",
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// State from the server

async function loadState() {
  const snapshot = await get('/api/state');
  Object.assign(state, {
    ready: snapshot.ready,
    team: snapshot.team,
    bot: snapshot.bot,
    s3: snapshot.s3,
    people: snapshot.people,
    channels: snapshot.channels,
    groups: snapshot.groups,
    homes: { ...snapshot.homes },
    modals: { ...snapshot.modals },
    logs: [...snapshot.logs],
    urls: snapshot.urls,
  } satisfies Partial<typeof state>);
  state.feed = new Map(snapshot.feed.map((e) => [e.id, e]));
  if (!person(state.me)) state.me = state.people[0]?.id ?? state.me;
  if (!['home', 'dm', ...sharedChannels().map((c) => c.id)].includes(state.place))
    state.place = sharedChannels()[0]?.id ?? 'dm';
  renderSidebar();
  renderMain();
  renderModal();
  renderLog();
  renderWhere();
  refreshBucket();
  if (state.place === 'home') openHome();
  document.body.dataset.ready = 'true';
}

type EventOf<T extends WorkspaceEvent['type']> = Extract<WorkspaceEvent, { type: T }>;

function connect() {
  const events = new EventSource('/api/events');
  const on = <T extends WorkspaceEvent['type']>(type: T, handler: (event: EventOf<T>) => void) =>
    events.addEventListener(type, (e) => handler(JSON.parse(e.data) as EventOf<T>));
  events.addEventListener('open', () => {
    loadState().catch((error: unknown) => toast(`Could not load the console: ${messageOf(error)}`, 'error'));
  });
  events.addEventListener('error', () => {
    state.ready = false;
    renderSidebar();
  });
  on('entry', ({ entry }) => upsertEntry(entry));
  on('entry-removed', ({ id }) => removeEntry(id));
  on('home', ({ user, home }) => {
    state.homes[user] = home;
    if (user === state.me && state.place === 'home') {
      renderHome();
      // A re-published view starts with what just happened: show it.
      ui.home.scrollTop = 0;
    }
  });
  on('modal', ({ user, modal }) => {
    if (modal === null) delete state.modals[user];
    else state.modals[user] = modal;
    if (user === state.me) renderModal();
  });
  on('log', ({ line }) => {
    state.logs.push(line);
    if (state.logs.length > 500) state.logs.splice(0, state.logs.length - 500);
    renderLog();
  });
  on('bucket', () => refreshBucket());
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring

function go(place: Place) {
  state.place = place;
  localStorage.setItem('playground.place', place);
  const channelId = currentChannelId();
  if (channelId !== undefined) state.unread.delete(`${state.me}:${channelId}`);
  renderSidebar();
  renderMain();
  if (place === 'home') openHome();
  else ui.composerInput.focus();
}

function become(personId: string) {
  state.me = personId;
  localStorage.setItem('playground.me', personId);
  go(state.place);
  renderModal();
}

function closeModal() {
  post('/api/view-close', { user: state.me }).catch(() => {});
  delete state.modals[state.me];
  renderModal();
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest<HTMLElement>('button, a, input') : null;
  if (!target) return;
  const data = target.dataset;
  if (data.personId) return become(data.personId);
  if (data.place) return go(data.place);
  if (data.gotoChannel) {
    const id = data.gotoChannel;
    if (sharedChannels().some((c) => c.id === id)) go(id);
    else if (id === dmId(state.me)) go('dm');
    return;
  }
  if (data.fill !== undefined) return fillComposer(data.fill);
  if (data.insert !== undefined) return insertAtCursor(data.insert);
  if (target.matches('[data-raw-put]')) {
    const tools = target.closest('[data-tools]');
    const entry = target.closest<HTMLElement>('[data-entry]');
    if (tools && entry) putRaw(tools, Number(entry.dataset.entry));
    return;
  }
  if (target.matches('[data-modal-close]')) return closeModal();
  if (target instanceof HTMLButtonElement && target.matches('[data-element="button"]')) pressButton(target);
});

document.addEventListener('change', (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.matches('[data-raw-file]')) {
    const tools = input.closest('[data-tools]');
    const file = input.files?.[0];
    const name = tools && find(tools, '[data-file-name]', HTMLSpanElement);
    const put = tools && find(tools, '[data-raw-put]', HTMLButtonElement);
    if (name) name.textContent = file ? `${file.name} · ${formatSize(file.size)}` : 'No file chosen';
    if (put) put.disabled = !file;
  }
});

ui.composer.addEventListener('submit', sendCommand);
ui.composerInput.addEventListener('keydown', recall);
ui.bucketRefresh.addEventListener('click', () => refreshBucket());
ui.modal.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const submit = find(form, '[data-modal-submit]', HTMLButtonElement);
  if (submit) submit.disabled = true;
  try {
    const result = await post('/api/view-submit', { user: state.me, values: collectState(form) });
    if ('errors' in result) showModalErrors(result.errors);
  } catch (error) {
    toast(`The form could not be sent: ${messageOf(error)}`, 'error');
  } finally {
    if (submit) submit.disabled = false;
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !ui.modal.hidden && ui.confirm.hidden) closeModal();
});

setColorEmoji(colorEmojiAvailable());
connect();
