/**
 * The partner page's script: pick or drop a file, send it (uploader.ts: one PUT, or parts above the bot's threshold),
 * show progress with speed and time left, offer Cancel, and resume an interrupted upload when the same file is picked
 * again. Runs in the partner's browser; bundled by scripts/build.ts.
 */
import type { ProgressReport } from './progress.js';
import { type Status, Uploader } from './uploader.js';

/** kind: ready, preparing, uploading, waiting, done, error, cancelled, resumable, or how the link closed. */
const CLOSED = ['expired', 'revoked', 'used', 'closed'];

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
};

/** Sizes read as the bot writes them (1 KB = 1024 B, one decimal at most): "384 KB", "1.5 MB". */
function size(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function ext(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** "120 MB of 300 MB · 25 MB/s · 8 s left": bytes, speed and time left, once there is a speed to tell. */
export function describeProgress(p: ProgressReport): string {
  const speed = p.bytesPerSecond === undefined ? '' : ` · ${size(p.bytesPerSecond)}/s`;
  const left = p.secondsLeft === undefined ? '' : ` · ${duration(p.secondsLeft)} left`;
  return `${size(p.sent)} of ${size(p.total)}${speed}${left}`;
}

/** The page's elements, found once: the script runs only on the page that has them all. */
function elementsOf() {
  const drop = byId('drop');
  return {
    input: byId<HTMLInputElement>('file'),
    drop,
    title: drop.querySelector('.drop-title'),
    chosen: byId('chosen'),
    send: byId<HTMLButtonElement>('send'),
    cancel: byId<HTMLButtonElement>('cancel'),
    progress: byId('progress'),
    bar: byId('bar'),
    stats: byId('stats'),
    state: byId('state'),
  };
}

/** What the bot wrote into the form: the link, its limits and the multipart threshold. */
function linkOf(form: HTMLFormElement) {
  return {
    id: form.getAttribute('data-link') ?? '',
    maxSize: Number(form.getAttribute('data-max-size') || 0),
    threshold: Number(form.getAttribute('data-multipart-threshold') || 0) || undefined,
    types: (form.getAttribute('data-types') || '').split(',').filter(Boolean),
  };
}

/** The closing time in the partner's own locale (the server wrote it in UTC). */
function localizeExpiry(): void {
  const expires = document.getElementById('expires');
  if (!expires) return;
  const at = new Date(expires.getAttribute('datetime') ?? '');
  if (!Number.isNaN(at.getTime()))
    expires.textContent = at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Dragging over the drop zone highlights it; a dropped file is picked. */
function onDrop(drop: HTMLElement, pick: (file: File | undefined) => void): void {
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.remove('over');
    });
  }
  drop.addEventListener('drop', (e) => {
    const files = (e as DragEvent).dataTransfer?.files;
    if (files?.length) pick(files[0]);
  });
}

function start(form: HTMLFormElement): void {
  const { id, maxSize, threshold, types } = linkOf(form);
  const { input, drop, title, chosen, send, cancel, progress, bar, stats, state } = elementsOf();
  let file: File | null = null;
  // While a file is on its way (or has arrived) another pick or drop must not swap it.
  let busy = false;
  localizeExpiry();

  function show(kind: string, text: string): void {
    const closed = CLOSED.includes(kind);
    const style = kind === 'done' ? ' state-done' : kind === 'error' ? ' state-error' : closed ? ' state-closed' : '';
    state.className = `state${style}`;
    state.setAttribute('data-state', kind);
    state.textContent = text;
  }

  function settle(finished: boolean): void {
    cancel.hidden = true;
    if (finished) {
      form.hidden = true;
      return;
    }
    busy = false;
    form.classList.remove('busy');
    send.disabled = file === null;
    input.disabled = false;
  }

  const uploader = new Uploader({
    linkId: id,
    multipartThreshold: threshold,
    onProgress(p) {
      const pct = p.total > 0 ? Math.floor((p.sent / p.total) * 100) : 0;
      bar.style.width = `${pct}%`; // CSSOM, not a style attribute: allowed by style-src 'self'
      stats.textContent = describeProgress(p);
      show('uploading', `Uploading… ${pct}%`);
    },
    onStatus: (s) => onStatus(s),
  });

  function onStatus(s: Status): void {
    const name = file?.name ?? '';
    if (s.kind === 'preparing') show('preparing', s.text);
    else if (s.kind === 'uploading')
      show('uploading', s.resumed ? 'Continuing the upload where it stopped…' : 'Uploading…');
    else if (s.kind === 'waiting' && s.offline)
      show('waiting', 'Offline: the upload goes on when the connection is back.');
    else if (s.kind === 'waiting') show('waiting', `Connection lost; trying again in ${s.retryInSeconds} s…`);
    else if (s.kind === 'done') {
      bar.style.width = '100%';
      progress.classList.add('complete');
      settle(true);
      show('done', `Done: ${name} (${size(s.size)}) has arrived. You can close this page.`);
    } else if (s.kind === 'cancelled') {
      progress.hidden = true;
      stats.textContent = '';
      settle(false);
      show('cancelled', 'Upload cancelled. Nothing was kept; pick a file to start again.');
    } else {
      progress.hidden = true;
      // A closed link stays closed: nothing left to pick. Anything else may work on a second try.
      settle(s.closed !== undefined);
      show(s.closed ?? 'error', s.message);
    }
  }

  const pending = uploader.pendingResume();
  if (pending) {
    show(
      'resumable',
      `An upload of ${pending.name} (${size(pending.size)}) was interrupted. Pick the same file to continue where it stopped.`,
    );
  }

  function pick(f: File | undefined): void {
    if (busy) return;
    file = f ?? null;
    chosen.textContent = file ? `${file.name} (${size(file.size)})` : '';
    if (title) title.textContent = file ? 'Choose another file' : 'Choose a file';
    send.disabled = !file;
    if (!file) {
      show('ready', 'Pick the file to send.');
      return;
    }
    if (maxSize && file.size > maxSize) {
      show('error', `This file is ${size(file.size)}; this link accepts at most ${size(maxSize)}.`);
      send.disabled = true;
    } else if (types.length && !types.includes(ext(file.name))) {
      show('error', `This link accepts only ${types.join(', ')} files.`);
      send.disabled = true;
    } else if (pending && pending.name === file.name && pending.size === file.size) {
      show('ready', `Ready to continue uploading ${file.name}.`);
    } else {
      show('ready', `Ready to upload ${file.name}.`);
    }
  }
  input.addEventListener('change', () => pick(input.files?.[0]));
  onDrop(drop, pick);
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    void uploader.cancel().finally(() => {
      cancel.disabled = false;
    });
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosenFile = file;
    if (!chosenFile || busy) return;
    busy = true;
    form.classList.add('busy');
    send.disabled = true;
    input.disabled = true;
    cancel.hidden = false;
    progress.hidden = false;
    progress.classList.remove('complete');
    bar.style.width = '0';
    stats.textContent = '';
    show('preparing', 'Starting upload…');
    void uploader.start(chosenFile);
  });
}

const form = document.getElementById('upload');
if (form instanceof HTMLFormElement) start(form);
