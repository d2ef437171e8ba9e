/**
 * The partner page, rendered on the server: plain HTML, one stylesheet and one script from this bot, nothing else.
 * Closed links render their final state without any script.
 */
import { describeLimits, formatSize, type UploadLimits } from '../core/limits.js';
import type { LinkState } from '../core/links.js';
import { utcMinutes } from '../lib/time.js';

export interface PageModel {
  readonly id: string;
  readonly filename: string;
  readonly place: string;
  readonly expiresAt: Date;
  readonly state: LinkState;
  readonly limits: UploadLimits;
  /** The most one upload can be here: 5 TiB in parts, or 5 GB where the storage takes single PUTs only. */
  readonly ceilingBytes: number;
  /** Files above it go in parts; undefined where the storage cannot do multipart uploads. */
  readonly multipartThresholdBytes: number | undefined;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

export const CLOSED_MESSAGES: Record<Exclude<LinkState, 'open'>, string> = {
  expired: 'This upload link has expired. Ask the person who sent it for a new one.',
  revoked:
    'This upload link was closed by the person who sent it. Ask them for a new one if you still need to send the file.',
  used: 'A file has already been uploaded through this link, and it only accepts one. Ask for a new link to send another.',
};

export const NOT_FOUND_MESSAGE = "This upload link doesn't exist. Check that you copied the whole address.";

/** Inline, so the page makes no favicon request (which would 404); the CSP allows data: images. */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%231f6feb'/%3E%3Cpath d='M8 3l4.5 4.5H9.5V12h-3V7.5h-3z' fill='%23fff'/%3E%3C/svg%3E";

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="/assets/partner.css">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>
`;
}

export function renderNotFound(): string {
  return layout(
    'Upload link not found',
    `<h1>Link not found</h1>\n<p class="state state-closed" role="status">${escapeHtml(NOT_FOUND_MESSAGE)}</p>`,
  );
}

export function renderRateLimited(): string {
  return layout(
    'Too many requests',
    '<h1>Slow down</h1>\n<p class="state state-closed" role="status">Too many requests from here. Wait a minute and try again.</p>',
  );
}

export function renderPage(model: PageModel): string {
  const limits = describeLimits(model.limits);
  const head = `<p class="eyebrow">Secure file upload</p>
<h1>Upload <span class="filename">${escapeHtml(model.filename)}</span></h1>
<p class="meta">For ${escapeHtml(model.place)}</p>`;
  if (model.state !== 'open') {
    return layout(
      'Upload link closed',
      `${head}\n<p class="state state-closed" id="state" role="status" data-state="${model.state}">${escapeHtml(CLOSED_MESSAGES[model.state])}</p>`,
    );
  }
  const accept = model.limits.allowedTypes?.map((t) => `.${t}`).join(',') ?? '';
  const maxSize = Math.min(model.limits.maxSizeBytes ?? model.ceilingBytes, model.ceilingBytes);
  // Said on the page where it applies (the playground's embedded S3): no parts, so no resume and a 5 GB ceiling.
  const single =
    model.multipartThresholdBytes === undefined
      ? `\n<p class="meta" id="single-only">This storage takes each file in one upload of at most ${escapeHtml(formatSize(model.ceilingBytes))}: large files cannot be resumed here.</p>`
      : '';
  return layout(
    `Upload ${model.filename}`,
    `${head}
<p class="meta">This link closes <time id="expires" datetime="${model.expiresAt.toISOString()}">${escapeHtml(utcMinutes(model.expiresAt))}</time>.${limits === '' ? '' : ` Accepted: ${escapeHtml(limits)}.`}</p>${single}
<form id="upload" data-link="${escapeHtml(model.id)}" data-max-size="${maxSize}" data-multipart-threshold="${model.multipartThresholdBytes ?? ''}" data-types="${escapeHtml(model.limits.allowedTypes?.join(',') ?? '')}">
<label class="drop" id="drop" for="file">
<input type="file" id="file" name="file"${accept === '' ? '' : ` accept="${escapeHtml(accept)}"`}>
<span class="drop-title">Choose a file</span>
<span class="drop-hint">or drop it here</span>
<span class="chosen" id="chosen"></span>
</label>
<button type="submit" id="send" disabled>Upload</button>
<button type="button" id="cancel" class="secondary" hidden>Cancel</button>
</form>
<div class="progress" id="progress" hidden><div class="bar" id="bar"></div></div>
<p class="stats" id="stats" aria-live="off"></p>
<p class="state" id="state" role="status" aria-live="polite" data-state="ready">Pick the file to send. It goes straight to secure storage; nobody else can see this page's upload.</p>
<noscript><p class="state state-closed">This page needs JavaScript to upload the file.</p></noscript>
<script src="/assets/partner.js" defer></script>`,
  );
}
