// The playground console: plays Slack for one person at a time. Everything it does as that person goes to the
// playground server, which signs it as Slack would and posts it to the bot; what the bot sends back arrives as
// server-sent events and is rendered from its Block Kit (see blocks.js, which escapes everything it renders).
import { collectState, esc, renderBlocks, renderMessage, setColorEmoji } from '/assets/blocks.js';

const COMMAND = '/upload-link';
const $ = (selector, root = document) => root.querySelector(selector);

const state = {
  ready: false,
  team: undefined,
  bot: undefined,
  s3: undefined,
  people: [],
  channels: [],
  groups: [],
  /** id → entry, in arrival order. */
  feed: new Map(),
  homes: {},
  modals: {},
  logs: [],
  me: localStorage.getItem('playground.me') ?? 'U0PGADMIN',
  /** A shared channel id, 'dm' (the current person's DM with the bot) or 'home' (the bot's App Home). */
  place: localStorage.getItem('playground.place') ?? 'C0PGACME',
  unread: new Map(),
  history: [],
  historyAt: -1,
  objects: [],
};

// ---------------------------------------------------------------------------------------------------------------
// Lookups

const person = (id) => state.people.find((p) => p.id === id);
const me = () => person(state.me) ?? state.people[0];
const dmId = (personId) => `D${personId.slice(1)}`;
const currentChannelId = () =>
  state.place === 'dm' ? dmId(state.me) : state.place === 'home' ? undefined : state.place;
const channel = (id) => state.channels.find((c) => c.id === id);
const sharedChannels = () => state.channels.filter((c) => c.kind === 'channel');

const directory = {
  user: (id) => person(id)?.handle ?? (id === state.bot?.userId ? state.bot.name : undefined),
  channel: (id) => {
    const c = channel(id);
    if (c === undefined) return undefined;
    return c.kind === 'dm' ? `${person(`U${id.slice(1)}`)?.handle ?? 'someone'} (direct message)` : c.name;
  },
  group: (id) => state.groups.find((g) => g.id === id)?.handle,
};
const lists = () => ({ people: state.people, channels: sharedChannels() });

const visibleTo = (entry, personId) => entry.kind === 'message' || entry.user === personId;

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error ?? `HTTP ${response.status}`);
  return json;
}

let toastTimer;
function toast(text, kind = 'info') {
  const node = $('#toast');
  node.textContent = text;
  node.className = `toast toast-${kind}`;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 4000);
}

function formatSize(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(size < 10 * 1024 ? 1 : 0)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

const timeOf = (ts) =>
  new Date(Number(String(ts).split('.')[0]) * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

/** "Ada Admin" → "Ad": two letters of the first name, so Ada and Alice differ. */
const initials = (name) => name.slice(0, 2);

/** Whether a colour emoji font is there: draw one and look for coloured pixels (a missing glyph is grey). */
function colorEmojiAvailable() {
  const canvas = document.createElement('canvas');
  canvas.width = 24;
  canvas.height = 24;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return true;
  context.textBaseline = 'top';
  context.font = '20px sans-serif';
  context.fillText('\u{1F4E5}', 0, 0);
  const pixels = context.getImageData(0, 0, 24, 24).data;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 0 && (pixels[i] !== pixels[i + 1] || pixels[i + 1] !== pixels[i + 2])) return true;
  }
  return false;
}

function avatar(who) {
  if (who === 'bot') return '<div class="avatar avatar-bot" aria-hidden="true">⬆</div>';
  if (who === 'slack') return '<div class="avatar avatar-slack" aria-hidden="true">✱</div>';
  const p = person(who);
  // Colour by role; classes rather than inline styles, which the console's CSP does not allow.
  return `<div class="avatar avatar-${esc(p?.role ?? 'unknown')}" aria-hidden="true">${esc(initials(p?.name ?? '?'))}</div>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sidebar

function renderSidebar() {
  $('#people').innerHTML = state.people
    .map(
      (
        p,
      ) => `<button type="button" class="person${p.id === state.me ? ' active' : ''}" role="radio" aria-checked="${p.id === state.me}" data-person="${esc(p.handle)}" data-person-id="${esc(p.id)}">
        ${avatar(p.id)}<span class="person-text"><span class="person-name">${esc(p.name)}</span><span class="person-role">${esc(p.description)}</span></span></button>`,
    )
    .join('');
  const item = (place, label, extra = '') => {
    const active = state.place === place ? ' active' : '';
    const unread = state.unread.get(`${state.me}:${place === 'dm' ? dmId(state.me) : place}`) ?? 0;
    const badge = unread > 0 && !active ? `<span class="unread">${unread}</span>` : '';
    return `<button type="button" class="nav-item${active}${unread > 0 && !active ? ' has-unread' : ''}" data-place="${esc(place)}">${label}${extra}${badge}</button>`;
  };
  $('#channel-list').innerHTML = sharedChannels()
    .map((c) =>
      item(
        c.id,
        `<span class="hash">#</span>${esc(c.name)}`,
        c.botIsMember ? '' : '<span class="muted-tag" title="The bot is not a member">no bot</span>',
      ),
    )
    .join('');
  $('#dm-list').innerHTML = item(
    'dm',
    `<span class="dot"></span>${esc(state.bot?.name ?? 'upload-link')}<span class="app-tag">APP</span>`,
  );
  $('#app-list').innerHTML = item(
    'home',
    `<span class="app-icon">⬆</span>${esc(state.bot?.name ?? 'upload-link')} Home`,
  );
  $('#sidebar-foot').innerHTML = state.ready
    ? '<span class="status-dot"></span> Bot running'
    : '<span class="status-dot off"></span> Connecting…';
}

// ---------------------------------------------------------------------------------------------------------------
// Main pane: a channel's messages, or the App Home

function renderHead() {
  const head = $('#main-head');
  if (state.place === 'home') {
    head.innerHTML = `<div class="head-title"><span class="app-icon big">⬆</span>${esc(state.bot?.name ?? 'upload-link')}</div>
      <div class="tabs"><span class="tab active">Home</span><button type="button" class="tab" data-place="dm">Messages</button></div>`;
    return;
  }
  const c = channel(currentChannelId());
  const title =
    c?.kind === 'dm'
      ? `<span class="app-icon big">⬆</span>${esc(state.bot?.name ?? 'upload-link')}<span class="app-tag">APP</span>`
      : `<span class="hash">#</span>${esc(c?.name ?? '')}`;
  head.innerHTML = `<div class="head-title">${title}</div><div class="head-topic">${esc(c?.topic ?? '')}</div>
    <div class="head-as">Viewing as ${avatar(state.me)}<b>${esc(me()?.name ?? '')}</b></div>`;
}

function renderMain() {
  const home = state.place === 'home';
  $('#feed').hidden = home;
  $('#composer').hidden = home;
  $('#home').hidden = !home;
  renderHead();
  if (home) renderHome();
  else renderFeed();
  renderComposerHelp();
}

function renderFeed() {
  const feed = $('#feed');
  const channelId = currentChannelId();
  const entries = [...state.feed.values()].filter((e) => e.channel === channelId && visibleTo(e, state.me));
  feed.innerHTML = entries.length === 0 ? intro() : '';
  for (const entry of entries) feed.append(entryNode(entry));
  feed.scrollTop = feed.scrollHeight;
}

function intro() {
  const c = channel(currentChannelId());
  const where = c?.kind === 'dm' ? 'your direct messages with the bot' : `#${c?.name ?? ''}`;
  const role = me()?.role;
  const tips = {
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
  }[role] ?? [['help', '']];
  return `<div class="intro">
    <div class="intro-title">This is ${esc(where)}</div>
    <p>You are <b>${esc(me()?.name ?? '')}</b> (${esc(me()?.description ?? '')}). Type a <code>${COMMAND}</code> command below; only you see the bot's replies, as in Slack.</p>
    <ul class="intro-tips">${tips
      .map(
        ([text, why]) =>
          `<li><button type="button" class="chip-cmd" data-fill="${esc(text)}">${esc(`${COMMAND} ${text}`)}</button><span>${esc(why)}</span></li>`,
      )
      .join('')}</ul>
  </div>`;
}

/** The raw PUT URL and the partner page address of an upload link reply, when it has them. */
function uploadLinks(message) {
  let raw;
  let partner;
  for (const block of message?.blocks ?? []) {
    if (block.type === 'rich_text') {
      for (const element of block.elements ?? []) {
        if (element.type !== 'rich_text_preformatted') continue;
        const text = (element.elements ?? []).map((e) => e.text ?? '').join('');
        if (raw === undefined && /^https?:\/\//.test(text) && text.includes('X-Amz-Signature')) raw = text;
      }
    }
    const mrkdwn = block.type === 'section' ? (block.text?.text ?? '') : '';
    const match = /<(https?:\/\/[^|>\s]+\/u\/[A-Za-z0-9_-]{22})(?:\|[^>]*)?>/.exec(mrkdwn);
    if (match && partner === undefined) partner = match[1].replace(/&amp;/g, '&');
  }
  return { raw, partner };
}

const rawUrls = new Map();

function toolsFor(entry) {
  const { raw, partner } = uploadLinks(entry.message);
  if (raw === undefined && partner === undefined) return '';
  if (raw !== undefined) rawUrls.set(entry.id, raw);
  const rawTools =
    raw === undefined
      ? ''
      : `<label class="btn btn-small file-pick"><input type="file" data-raw-file>Choose a file…</label>
         <span class="file-name" data-file-name>No file chosen</span>
         <button type="button" class="btn btn-small btn-primary" data-raw-put disabled>PUT to the raw URL</button>`;
  const partnerTools =
    partner === undefined
      ? ''
      : `<a class="btn btn-small" data-partner-link href="${esc(partner)}" target="_blank" rel="noopener">Open partner page ↗</a>`;
  return `<div class="tools" data-tools>
    <span class="tools-tag" title="Not part of Slack: the playground's shortcuts">Try it</span>${rawTools}${partnerTools}
    <div class="tools-status" data-tools-status role="status"></div>
  </div>`;
}

const VIA = { reply: 'command reply', response_url: 'response_url', 'chat.postMessage': 'chat.postMessage' };

function entryNode(entry) {
  const node = document.createElement('article');
  node.dataset.entry = String(entry.id);
  node.dataset.kind = entry.kind;
  const onlyYou = '<span class="only-you">Only visible to you</span>';
  if (entry.kind === 'command') {
    const typedArgs = entry.typed.slice(COMMAND.length).trim();
    const sentAs =
      entry.sent === typedArgs
        ? ''
        : `<div class="sent-as" title="What Slack sends the bot, with mentions escaped">sent as <code>${esc(entry.sent)}</code></div>`;
    node.className = 'msg msg-command';
    node.innerHTML = `${avatar(entry.user)}<div class="msg-body">
      <div class="msg-meta"><span class="msg-author">${esc(person(entry.user)?.name ?? entry.user)}</span><time>${esc(timeOf(entry.ts))}</time>${onlyYou}</div>
      <div class="msg-content"><code class="cmd">${esc(entry.typed)}</code>${sentAs}</div></div>`;
    return node;
  }
  if (entry.kind === 'slack-error') {
    node.className = 'msg msg-ephemeral msg-error';
    node.innerHTML = `${avatar('slack')}<div class="msg-body">
      <div class="msg-meta"><span class="msg-author">Slackbot</span><time>${esc(timeOf(entry.ts))}</time>${onlyYou}</div>
      <div class="msg-content">${esc(entry.text)}</div></div>`;
    return node;
  }
  node.className = `msg ${entry.kind === 'ephemeral' ? 'msg-ephemeral' : 'msg-channel'}`;
  node.innerHTML = `${avatar('bot')}<div class="msg-body">
    <div class="msg-meta"><span class="msg-author">${esc(state.bot?.name ?? 'upload-link')}</span><span class="app-tag">APP</span><time>${esc(timeOf(entry.ts))}</time>${entry.kind === 'ephemeral' ? onlyYou : ''}<span class="via" title="How the bot sent it">${esc(VIA[entry.via] ?? entry.via)}</span></div>
    <div class="msg-content blocks">${renderMessage(entry.message, { directory, lists: lists() })}</div>
    ${toolsFor(entry)}</div>`;
  return node;
}

function upsertEntry(entry) {
  const known = state.feed.has(entry.id);
  state.feed.set(entry.id, entry);
  const channelId = currentChannelId();
  if (entry.channel === channelId && visibleTo(entry, state.me)) {
    const feed = $('#feed');
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

function removeEntry(id) {
  state.feed.delete(id);
  $(`#feed [data-entry="${id}"]`)?.remove();
}

// ---------------------------------------------------------------------------------------------------------------
// App Home

function renderHome() {
  const root = $('#home');
  const home = state.homes[state.me];
  const body =
    home === undefined
      ? '<div class="home-loading">Opening the Home tab… (the console sent <code>app_home_opened</code>; the bot answers with <code>views.publish</code>)</div>'
      : `<div class="view blocks" data-view="${esc(home.viewId)}">${renderBlocks(home.view.blocks, { directory, lists: lists() })}</div>`;
  root.innerHTML = `<div class="home-wrap">${body}</div>`;
}

async function openHome() {
  try {
    await api('/api/home-opened', { user: state.me });
  } catch (error) {
    toast(`Could not open the Home tab: ${error.message}`, 'error');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Modals and confirmation dialogs

function renderModal() {
  const overlay = $('#modal');
  const modal = state.modals[state.me];
  if (modal === undefined) {
    overlay.hidden = true;
    overlay.innerHTML = '';
    return;
  }
  const view = modal.view;
  const text = (object, fallback) => esc(object?.text ?? fallback);
  overlay.innerHTML = `<form class="dialog modal-dialog" role="dialog" aria-modal="true" aria-label="${text(view.title, 'Modal')}">
    <div class="dialog-head"><h2>${text(view.title, '')}</h2><button type="button" class="close" data-modal-close aria-label="Close">×</button></div>
    <div class="dialog-body view blocks" data-view="${esc(modal.viewId)}">${renderBlocks(view.blocks, { directory, lists: lists() })}</div>
    <div class="dialog-actions">
      <button type="button" class="btn" data-modal-close>${text(view.close, 'Cancel')}</button>
      ${view.submit ? `<button type="submit" class="btn btn-primary" data-modal-submit>${text(view.submit, 'Submit')}</button>` : ''}
    </div></form>`;
  overlay.hidden = false;
  overlay.querySelector('input, select, textarea')?.focus();
}

function showModalErrors(errors) {
  const form = $('#modal form');
  if (!form) return;
  for (const old of form.querySelectorAll('.input-error')) old.remove();
  for (const block of form.querySelectorAll('[data-input-block]')) block.classList.remove('has-error');
  for (const [blockId, message] of Object.entries(errors)) {
    const block = [...form.querySelectorAll('[data-input-block]')].find((b) => b.dataset.inputBlock === blockId);
    if (!block) continue;
    block.classList.add('has-error');
    const note = document.createElement('div');
    note.className = 'input-error';
    note.setAttribute('role', 'alert');
    note.textContent = String(message);
    block.append(note);
  }
}

/** Slack's confirmation dialog for a button with `confirm`; resolves true when confirmed. */
function confirmDialog(confirm, buttonStyle) {
  return new Promise((resolve) => {
    const overlay = $('#confirm');
    const danger = confirm.style === 'danger' || buttonStyle === 'danger';
    overlay.innerHTML = `<div class="dialog confirm-dialog" role="alertdialog" aria-modal="true" aria-label="${esc(confirm.title?.text ?? 'Are you sure?')}">
      <div class="dialog-head"><h2>${esc(confirm.title?.text ?? 'Are you sure?')}</h2></div>
      <div class="dialog-body"><p>${esc(confirm.text?.text ?? '')}</p></div>
      <div class="dialog-actions">
        <button type="button" class="btn" data-deny>${esc(confirm.deny?.text ?? 'Cancel')}</button>
        <button type="button" class="btn ${danger ? 'btn-danger' : 'btn-primary'}" data-confirm>${esc(confirm.confirm?.text ?? 'Yes')}</button>
      </div></div>`;
    overlay.hidden = false;
    const done = (answer) => {
      overlay.hidden = true;
      overlay.innerHTML = '';
      document.removeEventListener('keydown', onKey);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === 'Escape') done(false);
    };
    document.addEventListener('keydown', onKey);
    overlay.querySelector('[data-deny]').addEventListener('click', () => done(false));
    overlay.querySelector('[data-confirm]').addEventListener('click', () => done(true));
    overlay.querySelector('[data-confirm]').focus();
  });
}

/** The button's own definition (for its confirm dialog), from the blocks it was rendered from. */
function buttonSpec(blocks, blockId, actionId) {
  for (const block of blocks ?? []) {
    if (block.block_id !== blockId) continue;
    for (const element of [block.accessory, ...(block.elements ?? [])]) {
      if (element?.type === 'button' && element.action_id === actionId) return element;
    }
  }
  return undefined;
}

async function pressButton(button) {
  const blockId = button.dataset.blockId;
  const actionId = button.dataset.actionId;
  const entryNode = button.closest('[data-entry]');
  const inHome = button.closest('#home');
  const entry = entryNode ? state.feed.get(Number(entryNode.dataset.entry)) : undefined;
  const blocks = entry ? entry.message?.blocks : inHome ? state.homes[state.me]?.view.blocks : undefined;
  const spec = buttonSpec(blocks, blockId, actionId);
  if (spec?.confirm && !(await confirmDialog(spec.confirm, spec.style))) return;
  button.disabled = true;
  button.classList.add('busy');
  try {
    if (entry) {
      await api('/api/message-action', { user: state.me, entry: entry.id, blockId, actionId });
    } else if (inHome) {
      await api('/api/view-action', { user: state.me, blockId, actionId, values: collectState($('#home')) });
    }
  } catch (error) {
    toast(`That button failed: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
    button.classList.remove('busy');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Composer

function renderComposerHelp() {
  const input = $('#composer-input');
  const c = channel(currentChannelId());
  input.placeholder = `${COMMAND} report.pdf 2h   (in ${c?.kind === 'dm' ? 'your DM with the bot' : `#${c?.name ?? ''}`}, as ${me()?.name ?? ''})`;
  const mentions = [...state.people.map((p) => `@${p.handle}`), ...state.groups.map((g) => `@${g.handle}`)];
  const channels = sharedChannels().map((c) => `#${c.name}`);
  $('#composer-help').innerHTML = `<span class="help-label">Insert</span>${[...mentions, ...channels]
    .map((text) => `<button type="button" class="chip-insert" data-insert="${esc(text)}">${esc(text)}</button>`)
    .join(
      '',
    )}<span class="help-note">@names and #channels become Slack mentions, as when picked from Slack's suggestions. ↑ recalls the last command.</span>`;
}

function fillComposer(text) {
  const input = $('#composer-input');
  input.value = `${COMMAND} ${text}`;
  input.focus();
}

function insertAtCursor(text) {
  const input = $('#composer-input');
  if (input.value.trim() === '') input.value = `${COMMAND} `;
  const start = input.selectionStart ?? input.value.length;
  const before = input.value.slice(0, start);
  const after = input.value.slice(input.selectionEnd ?? start);
  const spaced = `${before}${before === '' || before.endsWith(' ') ? '' : ' '}${text} `;
  input.value = spaced + after;
  input.focus();
  input.setSelectionRange(spaced.length, spaced.length);
}

async function sendCommand(event) {
  event.preventDefault();
  const input = $('#composer-input');
  const text = input.value.trim();
  if (text === '') return;
  if (!/^\/upload-link(\s|$)/.test(text)) {
    toast(`Only ${COMMAND} commands go to the bot here: start with ${COMMAND}.`, 'error');
    return;
  }
  state.history.unshift(text);
  state.historyAt = -1;
  input.value = '';
  const form = $('#composer');
  form.classList.add('sending');
  try {
    await api('/api/command', { user: state.me, channel: currentChannelId(), text });
  } catch (error) {
    toast(`Could not send: ${error.message}`, 'error');
  } finally {
    form.classList.remove('sending');
  }
}

function recall(event) {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  const input = event.target;
  if (event.key === 'ArrowUp' && input.value !== '' && state.historyAt === -1) return;
  const next = state.historyAt + (event.key === 'ArrowUp' ? 1 : -1);
  if (next < -1 || next >= state.history.length) return;
  event.preventDefault();
  state.historyAt = next;
  input.value = next === -1 ? '' : state.history[next];
}

// ---------------------------------------------------------------------------------------------------------------
// Uploads through a reply's raw URL, straight from this page to S3 (the bucket's CORS allows this origin)

function s3Problem(xml) {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return code ? `${code}${message ? `: ${message}` : ''}` : xml.slice(0, 200);
}

async function putRaw(tools, entryId) {
  const url = rawUrls.get(entryId);
  const file = tools.querySelector('[data-raw-file]').files[0];
  const status = tools.querySelector('[data-tools-status]');
  const button = tools.querySelector('[data-raw-put]');
  if (!url || !file) return;
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
    status.textContent = `The upload failed: ${error.message}`;
  } finally {
    button.disabled = false;
    status.scrollIntoView({ block: 'nearest' });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bucket panel and log

let bucketTimer;
function refreshBucket() {
  clearTimeout(bucketTimer);
  bucketTimer = setTimeout(async () => {
    try {
      state.objects = await api('/api/objects');
      renderBucket();
    } catch (error) {
      $('#bucket-list').innerHTML = `<div class="empty">Could not list the bucket: ${esc(error.message)}</div>`;
    }
  }, 150);
}

function renderBucket() {
  $('#bucket-name').textContent = state.s3
    ? `${state.s3.bucket} · ${state.objects.length} object${state.objects.length === 1 ? '' : 's'}`
    : '';
  const list = $('#bucket-list');
  if (state.objects.length === 0) {
    list.innerHTML = '<div class="empty">No objects yet. Create a link, then upload a file through it.</div>';
    return;
  }
  list.innerHTML = `<ul class="objects">${state.objects
    .map((o) => {
      const slash = o.key.lastIndexOf('/');
      const folder = o.key.slice(0, slash + 1);
      const name = o.key.slice(slash + 1);
      const at = new Date(o.lastModified).toLocaleTimeString([], {
        hour: 'numeric',
        minute: '2-digit',
        second: '2-digit',
      });
      return `<li class="object" data-key="${esc(o.key)}">
        <div class="object-key" title="${esc(o.key)}"><span class="object-folder">${esc(folder)}</span><span class="object-name">${esc(name)}</span></div>
        <div class="object-meta"><span class="object-size">${esc(formatSize(o.size))}</span><span>${esc(o.contentType)}</span><span>${esc(at)}</span>
        <a href="/api/object?key=${encodeURIComponent(o.key)}" download>Download</a></div></li>`;
    })
    .join('')}</ul>`;
}

function renderLog() {
  const log = $('#log');
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.textContent = state.logs.join('\n');
  $('#log-count').textContent = `${state.logs.length} lines`;
  if (nearBottom) log.scrollTop = log.scrollHeight;
}

function renderWhere() {
  if (!state.urls) return;
  const row = (label, value) =>
    `<div class="where-row"><span class="where-label">${esc(label)}</span><code>${esc(value)}</code></div>`;
  $('#where').innerHTML = `<div class="panel-title">Where things are</div>
    ${row('Bot', `${state.urls.bot}/slack/events`)}${row('S3', state.urls.s3)}${row('Slack API', state.urls.slack)}
    <p class="where-note">Everything you do here is signed with the bot's signing secret and posted to its Slack endpoint, exactly as Slack would.</p>`;
}

// ---------------------------------------------------------------------------------------------------------------
// State from the server

async function loadState() {
  const snapshot = await api('/api/state');
  Object.assign(state, {
    ready: snapshot.ready,
    team: snapshot.team,
    bot: snapshot.bot,
    s3: snapshot.s3,
    people: snapshot.people,
    channels: snapshot.channels,
    groups: snapshot.groups,
    homes: snapshot.homes,
    modals: snapshot.modals,
    logs: snapshot.logs,
    urls: snapshot.urls,
  });
  state.feed = new Map(snapshot.feed.map((e) => [e.id, e]));
  if (!person(state.me)) state.me = state.people[0]?.id;
  if (!['home', 'dm', ...sharedChannels().map((c) => c.id)].includes(state.place))
    state.place = sharedChannels()[0]?.id;
  renderSidebar();
  renderMain();
  renderModal();
  renderLog();
  renderWhere();
  refreshBucket();
  if (state.place === 'home') openHome();
  document.body.dataset.ready = 'true';
}

function connect() {
  const events = new EventSource('/api/events');
  const on = (type, handler) => events.addEventListener(type, (e) => handler(JSON.parse(e.data)));
  events.addEventListener('open', () => {
    loadState().catch((error) => toast(`Could not load the console: ${error.message}`, 'error'));
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
      $('#home').scrollTop = 0;
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

function go(place) {
  state.place = place;
  localStorage.setItem('playground.place', place);
  const channelId = currentChannelId();
  if (channelId !== undefined) state.unread.delete(`${state.me}:${channelId}`);
  renderSidebar();
  renderMain();
  if (place === 'home') openHome();
  else $('#composer-input').focus();
}

function become(personId) {
  state.me = personId;
  localStorage.setItem('playground.me', personId);
  go(state.place);
  renderModal();
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('button, a, input');
  if (!target) return;
  if (target.dataset.personId) return become(target.dataset.personId);
  if (target.dataset.place) return go(target.dataset.place);
  if (target.dataset.gotoChannel) {
    const id = target.dataset.gotoChannel;
    if (sharedChannels().some((c) => c.id === id)) go(id);
    else if (id === dmId(state.me)) go('dm');
    return;
  }
  if (target.dataset.fill !== undefined) return fillComposer(target.dataset.fill);
  if (target.dataset.insert !== undefined) return insertAtCursor(target.dataset.insert);
  if (target.matches('[data-raw-put]')) {
    const tools = target.closest('[data-tools]');
    return putRaw(tools, Number(target.closest('[data-entry]').dataset.entry));
  }
  if (target.matches('[data-modal-close]')) {
    api('/api/view-close', { user: state.me }).catch(() => {});
    delete state.modals[state.me];
    return renderModal();
  }
  if (target.matches('button[data-element="button"]')) return pressButton(target);
});

document.addEventListener('change', (event) => {
  const input = event.target;
  if (input.matches?.('[data-raw-file]')) {
    const tools = input.closest('[data-tools]');
    const file = input.files[0];
    tools.querySelector('[data-file-name]').textContent = file
      ? `${file.name} · ${formatSize(file.size)}`
      : 'No file chosen';
    tools.querySelector('[data-raw-put]').disabled = !file;
  }
});

$('#composer').addEventListener('submit', sendCommand);
$('#composer-input').addEventListener('keydown', recall);
$('#bucket-refresh').addEventListener('click', () => refreshBucket());
$('#modal').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const submit = form.querySelector('[data-modal-submit]');
  if (submit) submit.disabled = true;
  try {
    const result = await api('/api/view-submit', { user: state.me, values: collectState(form) });
    if (result.errors) showModalErrors(result.errors);
  } catch (error) {
    toast(`The form could not be sent: ${error.message}`, 'error');
  } finally {
    if (submit) submit.disabled = false;
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !$('#modal').hidden && $('#confirm').hidden) {
    api('/api/view-close', { user: state.me }).catch(() => {});
    delete state.modals[state.me];
    renderModal();
  }
});

setColorEmoji(colorEmojiAvailable());
connect();
