/**
 * Parsing `/upload-link` command text exactly as Slack sends it.
 *
 * With `should_escape: true` in the manifest Slack rewrites what the user typed: mentions become `<@U…|name>`,
 * `<#C…|name>`, `<!subteam^S…|@name>`, anything that looks like a link becomes `<http://notes.md|notes.md>`
 * (`.md`, `.zip`, `.mov` and `.io` are all top-level domains), and `&`, `<`, `>` arrive as HTML entities.
 * https://docs.slack.dev/interactivity/implementing-slash-commands#escaping
 */
import { looksLikeDuration, parseDuration } from './durations.js';

/** One piece of a token: plain text, or a Slack-escaped entity. */
export type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'user'; id: string; label: string | undefined }
  | { kind: 'channel'; id: string; label: string | undefined }
  | { kind: 'usergroup'; id: string; label: string | undefined }
  | { kind: 'special'; name: string; label: string | undefined }
  | { kind: 'link'; target: string; label: string | undefined };

export interface Token {
  readonly pieces: readonly Piece[];
  /** Typed in quotes: never a keyword or an expiry. */
  readonly quoted: boolean;
  /** What the user typed, as best Slack lets us know. */
  readonly text: string;
}

/** The text a user saw when typing an escaped entity. */
function pieceText(piece: Piece): string {
  switch (piece.kind) {
    case 'text':
      return piece.text;
    case 'user':
      return piece.label === undefined ? `@${piece.id}` : `@${piece.label.replace(/^@/, '')}`;
    case 'channel':
      return piece.label === undefined ? `#${piece.id}` : `#${piece.label.replace(/^#/, '')}`;
    case 'usergroup':
      return piece.label ?? `@${piece.id}`;
    case 'special':
      return piece.label ?? `@${piece.name}`;
    case 'link':
      // Slack adds a scheme to what it linkified and keeps what was typed as the label.
      return piece.label ?? piece.target.replace(/^mailto:/, '');
  }
}

const decodeEntities = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `<...>` body → Piece. Slack never sends a raw `<` or `>` in text (they arrive as entities). */
function parseEscape(body: string): Piece {
  const bar = body.indexOf('|');
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(body.slice(bar + 1));
  if (target.startsWith('@')) return { kind: 'user', id: target.slice(1), label };
  if (target.startsWith('#')) return { kind: 'channel', id: target.slice(1), label };
  if (target.startsWith('!subteam^')) return { kind: 'usergroup', id: target.slice('!subteam^'.length), label };
  if (target.startsWith('!')) return { kind: 'special', name: target.slice(1).split('^')[0] ?? '', label };
  return { kind: 'link', target: decodeEntities(target), label };
}

/** Opening quote → closing quote. Smart quotes arrive from clients that substitute them as you type. */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '‘': '’', '„': '“', '«': '»' };

const isSpace = (ch: string) => /\s/.test(ch);

/**
 * Split command text into tokens. Whitespace separates tokens except inside quotes; a quote only opens a quoted
 * token at the start of a token and only when it is closed before whitespace or the end (so `John's report.pdf` is
 * two plain tokens). `<...>` escapes are atomic.
 */
export function tokenize(raw: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = raw.length;
  while (i < n) {
    while (i < n && isSpace(raw[i] as string)) i++;
    if (i >= n) break;
    const open = raw[i] as string;
    const close = QUOTES[open];
    if (close !== undefined) {
      const end = findClosingQuote(raw, i + 1, close);
      if (end !== -1) {
        tokens.push(makeToken(raw.slice(i + 1, end), true));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < n && !isSpace(raw[j] as string)) {
      if (raw[j] === '<') {
        const gt = raw.indexOf('>', j);
        j = gt === -1 ? n : gt + 1;
      } else {
        j++;
      }
    }
    tokens.push(makeToken(raw.slice(i, j), false));
    i = j;
  }
  return tokens;
}

function findClosingQuote(raw: string, from: number, close: string): number {
  for (let k = from; k < raw.length; k++) {
    if (raw[k] === '<') {
      const gt = raw.indexOf('>', k);
      if (gt === -1) return -1;
      k = gt;
      continue;
    }
    if (raw[k] === close && (k + 1 === raw.length || isSpace(raw[k + 1] as string))) return k;
  }
  return -1;
}

function makeToken(raw: string, quoted: boolean): Token {
  const pieces: Piece[] = [];
  let rest = raw;
  while (rest !== '') {
    const lt = rest.indexOf('<');
    const gt = lt === -1 ? -1 : rest.indexOf('>', lt);
    if (lt === -1 || gt === -1) {
      pieces.push({ kind: 'text', text: decodeEntities(rest) });
      break;
    }
    if (lt > 0) pieces.push({ kind: 'text', text: decodeEntities(rest.slice(0, lt)) });
    pieces.push(parseEscape(rest.slice(lt + 1, gt)));
    rest = rest.slice(gt + 1);
  }
  return { pieces, quoted, text: pieces.map(pieceText).join('') };
}

/** The words a plain token may be, case-insensitively, to mean a sub-command rather than a file name. */
const HELP_WORDS = new Set(['help', '-h', '--help', '?']);

export type UploadCommand =
  | { kind: 'help' }
  | { kind: 'upload'; filename: string; expiry: string | undefined; singleUse: boolean }
  | { kind: 'missing-filename'; expiry: string };

/** `[filename...] [expiry]`: the last plain token is the expiry when it is shaped like one (`2h`, `10y`). */
export function parseUploadCommand(allTokens: readonly Token[]): UploadCommand {
  let tokens = allTokens;
  const first = tokens[0];
  if (first === undefined) return { kind: 'help' };
  if (tokens.length === 1 && !first.quoted && HELP_WORDS.has(first.text.toLowerCase())) return { kind: 'help' };
  const plain = (t: Token | undefined): t is Token =>
    t !== undefined && !t.quoted && t.pieces.every((p) => p.kind === 'text');
  // `once`, last or just before the expiry: the partner page closes after one upload.
  const isOnce = (t: Token | undefined) => plain(t) && t.text.toLowerCase() === 'once';
  let once = false;
  if (tokens.length > 1 && isOnce(tokens.at(-1))) {
    once = true;
    tokens = tokens.slice(0, -1);
  }
  const last = tokens.at(-1);
  const beforeLast = tokens.at(-2);
  // "2h", or "2 hours" typed as two words.
  let expiryTokens = 0;
  if (plain(last) && looksLikeDuration(last.text)) expiryTokens = 1;
  else if (
    plain(last) &&
    plain(beforeLast) &&
    /^\d+$/.test(beforeLast.text) &&
    parseDuration(beforeLast.text + last.text) !== undefined
  ) {
    expiryTokens = 2;
  }
  const expiry =
    expiryTokens === 0
      ? undefined
      : tokens
          .slice(-expiryTokens)
          .map((t) => t.text)
          .join(' ');
  let nameTokens = tokens.slice(0, tokens.length - expiryTokens);
  if (!once && expiry !== undefined && nameTokens.length > 1 && isOnce(nameTokens.at(-1))) {
    once = true;
    nameTokens = nameTokens.slice(0, -1);
  }
  if (expiry !== undefined && nameTokens.length === 0) return { kind: 'missing-filename', expiry };
  return { kind: 'upload', filename: nameTokens.map((t) => t.text).join(' '), expiry, singleUse: once };
}
