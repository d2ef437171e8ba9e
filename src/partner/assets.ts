/** The partner page's stylesheet and script, served by the bot itself (the page's CSP allows nothing else). */

export const PARTNER_CSS = `:root{color-scheme:light dark;--fg:#1b1f24;--muted:#5b6470;--bg:#f4f6f8;--card:#fff;--line:#d7dce2;--accent:#1f6feb;--ok:#1a7f37;--bad:#cf222e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9aa4af;--bg:#0d1117;--card:#161b22;--line:#30363d;--accent:#4493f8;--ok:#3fb950;--bad:#f85149}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:16px;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.card{width:100%;max-width:520px;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:24px}
.eyebrow{margin:0;color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.06em}
h1{margin:4px 0 8px;font-size:22px;line-height:1.3;overflow-wrap:anywhere}
.filename{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.95em}
.meta{margin:4px 0;color:var(--muted)}
form{margin-top:16px}
.drop{display:flex;flex-direction:column;align-items:center;gap:4px;padding:28px 16px;border:2px dashed var(--line);border-radius:10px;cursor:pointer;text-align:center}
.drop:has(input:focus-visible){outline:2px solid var(--accent);outline-offset:2px}
.drop.over{border-color:var(--accent);background:color-mix(in srgb,var(--accent) 8%,transparent)}
.drop input{position:absolute;width:1px;height:1px;opacity:0}
.drop-title{font-weight:600;color:var(--accent)}
.drop-hint{color:var(--muted);font-size:14px}
.chosen{font-family:ui-monospace,monospace;font-size:14px;overflow-wrap:anywhere}
button{margin-top:12px;width:100%;min-height:48px;padding:12px;border:0;border-radius:8px;background:var(--accent);color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:disabled{opacity:.5;cursor:default}
.progress{margin-top:16px;height:10px;border-radius:5px;background:var(--line);overflow:hidden}
.bar{height:100%;width:0;background:var(--accent);transition:width .2s}
.progress.complete .bar{background:var(--ok)}
.busy .drop{opacity:.55;cursor:default}
.state{margin:16px 0 0;padding:12px;border-radius:8px;background:color-mix(in srgb,var(--muted) 10%,transparent)}
.state-done{background:color-mix(in srgb,var(--ok) 15%,transparent);color:var(--ok);font-weight:600}
.state-error,.state-closed{background:color-mix(in srgb,var(--bad) 12%,transparent);color:var(--bad)}
@media (max-width:480px){body{align-items:flex-start;padding:12px}.card{padding:20px}}
`;

/** Plain browser JavaScript (no framework, no build step): pick or drop, sign, PUT with progress, complete. */
export const PARTNER_JS = `'use strict';
(function () {
  var form = document.getElementById('upload');
  if (!form) return;
  var id = form.getAttribute('data-link');
  var maxSize = Number(form.getAttribute('data-max-size') || 0);
  var types = (form.getAttribute('data-types') || '').split(',').filter(Boolean);
  var input = document.getElementById('file');
  var drop = document.getElementById('drop');
  var chosen = document.getElementById('chosen');
  var send = document.getElementById('send');
  var progress = document.getElementById('progress');
  var bar = document.getElementById('bar');
  var state = document.getElementById('state');
  var expires = document.getElementById('expires');
  var title = drop.querySelector('.drop-title');
  var file = null;
  // While a file is on its way (or has arrived) another pick or drop must not swap it.
  var busy = false;

  if (expires) {
    var at = new Date(expires.getAttribute('datetime'));
    if (!isNaN(at)) expires.textContent = at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  // kind: ready, uploading, done, error, or how the link closed (expired, revoked, used), as the server renders it.
  var CLOSED = ['expired', 'revoked', 'used', 'closed'];
  function show(kind, text) {
    var closed = CLOSED.indexOf(kind) !== -1;
    state.className = 'state' + (kind === 'done' ? ' state-done' : kind === 'error' ? ' state-error' : closed ? ' state-closed' : '');
    state.setAttribute('data-state', kind);
    state.textContent = text;
  }
  // Sizes read as the bot writes them (1 KB = 1024 B, one decimal at most): "384 KB", "1.5 MB".
  function size(n) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1).replace(/\\.0$/, '')) + ' ' + units[i];
  }
  function ext(name) {
    var dot = name.lastIndexOf('.');
    return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  }
  function pick(f) {
    if (busy) return;
    file = f || null;
    chosen.textContent = file ? file.name + ' (' + size(file.size) + ')' : '';
    title.textContent = file ? 'Choose another file' : 'Choose a file';
    send.disabled = !file;
    if (!file) {
      show('ready', 'Pick the file to send.');
      return;
    }
    if (maxSize && file.size > maxSize) {
      show('error', 'This file is ' + size(file.size) + '; this link accepts at most ' + size(maxSize) + '.');
      send.disabled = true;
    } else if (types.length && types.indexOf(ext(file.name)) === -1) {
      show('error', 'This link accepts only ' + types.join(', ') + ' files.');
      send.disabled = true;
    } else {
      show('ready', 'Ready to upload ' + file.name + '.');
    }
  }
  input.addEventListener('change', function () { pick(input.files[0]); });
  ['dragenter', 'dragover'].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.remove('over'); });
  });
  drop.addEventListener('drop', function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) pick(e.dataTransfer.files[0]);
  });

  function post(path, body) {
    return fetch('/u/' + encodeURIComponent(id) + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
      credentials: 'omit',
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error(data.message || 'The server answered ' + r.status + '.');
          // 410: the link closed since the page loaded; the answer says how (expired, revoked, used).
          if (r.status === 410) err.closed = CLOSED.indexOf(data.error) !== -1 ? data.error : 'closed';
          throw err;
        }
        return data;
      });
    });
  }
  function put(signed) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open('PUT', signed.url);
      Object.keys(signed.headers || {}).forEach(function (h) { xhr.setRequestHeader(h, signed.headers[h]); });
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.style.width = pct + '%';
        show('uploading', 'Uploading… ' + pct + '%');
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error('Storage refused the upload (' + xhr.status + '). Try again, or ask for a new link.'));
      };
      xhr.onerror = function () { reject(new Error('The upload was interrupted by a network problem. Check your connection and try again.')); };
      xhr.send(file);
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!file || busy) return;
    busy = true;
    form.classList.add('busy');
    send.disabled = true;
    input.disabled = true;
    progress.hidden = false;
    progress.classList.remove('complete');
    bar.style.width = '0';
    show('uploading', 'Starting upload…');
    post('/sign', { name: file.name, size: file.size, type: file.type })
      .then(put)
      .then(function () { return post('/complete'); })
      .then(function () {
        bar.style.width = '100%';
        progress.classList.add('complete');
        form.hidden = true;
        show('done', 'Done: ' + file.name + ' (' + size(file.size) + ') has arrived. You can close this page.');
      })
      .catch(function (err) {
        show(err.closed || 'error', err.message);
        progress.hidden = true;
        // A closed link stays closed: nothing left to pick. Anything else may work on a second try.
        if (err.closed) { form.hidden = true; return; }
        busy = false;
        form.classList.remove('busy');
        send.disabled = false;
        input.disabled = false;
      });
  });
})();
`;
