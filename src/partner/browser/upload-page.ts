/**
 * The partner page's script: pick or drop a file, ask the bot to sign an upload for exactly that file, PUT it to
 * S3 with progress, then tell the bot it has arrived. Runs in the partner's browser; bundled by scripts/build.ts.
 */

interface SignedPut {
  readonly url: string;
  readonly headers?: Record<string, string>;
}

/** A refusal from the bot; `closed` says how the link closed since the page loaded (410). */
class PageError extends Error {
  constructor(
    message: string,
    readonly closed?: string,
  ) {
    super(message);
  }
}

/** kind: ready, uploading, done, error, or how the link closed (expired, revoked, used), as the server renders it. */
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

function ext(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function start(form: HTMLFormElement): void {
  const id = form.getAttribute('data-link') ?? '';
  const maxSize = Number(form.getAttribute('data-max-size') || 0);
  const types = (form.getAttribute('data-types') || '').split(',').filter(Boolean);
  const input = byId<HTMLInputElement>('file');
  const drop = byId('drop');
  const chosen = byId('chosen');
  const send = byId<HTMLButtonElement>('send');
  const progress = byId('progress');
  const bar = byId('bar');
  const state = byId('state');
  const title = drop.querySelector('.drop-title');
  let file: File | null = null;
  // While a file is on its way (or has arrived) another pick or drop must not swap it.
  let busy = false;

  const expires = document.getElementById('expires');
  if (expires) {
    const at = new Date(expires.getAttribute('datetime') ?? '');
    if (!Number.isNaN(at.getTime()))
      expires.textContent = at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  function show(kind: string, text: string): void {
    const closed = CLOSED.includes(kind);
    state.className = `state${kind === 'done' ? ' state-done' : kind === 'error' ? ' state-error' : closed ? ' state-closed' : ''}`;
    state.setAttribute('data-state', kind);
    state.textContent = text;
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
    } else {
      show('ready', `Ready to upload ${file.name}.`);
    }
  }
  input.addEventListener('change', () => pick(input.files?.[0]));
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

  async function post<T>(path: string, body?: object): Promise<T> {
    const r = await fetch(`/u/${encodeURIComponent(id)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      credentials: 'omit',
    });
    const data = (await r.json().catch(() => ({}))) as { message?: string; error?: string };
    if (!r.ok) {
      // 410: the link closed since the page loaded; the answer says how (expired, revoked, used).
      const closed = r.status === 410 ? (CLOSED.includes(data.error ?? '') ? data.error : 'closed') : undefined;
      throw new PageError(data.message || `The server answered ${r.status}.`, closed);
    }
    return data as T;
  }

  function put(signed: SignedPut, body: File): Promise<void> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', signed.url);
      for (const [name, value] of Object.entries(signed.headers ?? {})) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        const pct = Math.round((e.loaded / e.total) * 100);
        bar.style.width = `${pct}%`;
        show('uploading', `Uploading… ${pct}%`);
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(`Storage refused the upload (${xhr.status}). Try again, or ask for a new link.`));
      };
      xhr.onerror = () =>
        reject(new Error('The upload was interrupted by a network problem. Check your connection and try again.'));
      xhr.send(body);
    });
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosenFile = file;
    if (!chosenFile || busy) return;
    busy = true;
    form.classList.add('busy');
    send.disabled = true;
    input.disabled = true;
    progress.hidden = false;
    progress.classList.remove('complete');
    bar.style.width = '0';
    show('uploading', 'Starting upload…');
    post<SignedPut>('/sign', { name: chosenFile.name, size: chosenFile.size, type: chosenFile.type })
      .then((signed) => put(signed, chosenFile))
      .then(() => post('/complete'))
      .then(() => {
        bar.style.width = '100%';
        progress.classList.add('complete');
        form.hidden = true;
        show('done', `Done: ${chosenFile.name} (${size(chosenFile.size)}) has arrived. You can close this page.`);
      })
      .catch((err: unknown) => {
        const closed = err instanceof PageError ? err.closed : undefined;
        show(closed ?? 'error', err instanceof Error ? err.message : String(err));
        progress.hidden = true;
        // A closed link stays closed: nothing left to pick. Anything else may work on a second try.
        if (closed) {
          form.hidden = true;
          return;
        }
        busy = false;
        form.classList.remove('busy');
        send.disabled = false;
        input.disabled = false;
      });
  });
}

const form = document.getElementById('upload');
if (form instanceof HTMLFormElement) start(form);
