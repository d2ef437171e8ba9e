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

/**
 * Opening quote → the quotes that close it. Smart quotes arrive from phones and macOS, which substitute them as you
 * type (and may pair a curly opener with a straight closer).
 */
const QUOTES: Record<string, string> = {
  '"': '"”“',
  '“': '”"“',
  '”': '”"',
  '„': '“”"',
  '«': '»',
  "'": "'’",
  '‘': "’'",
  '’': "’'",
};

/** Quotes that always mean a quoted name; an unclosed one is a mistake to point out (apostrophes are not). */
export const DOUBLE_QUOTES = '"“”„«';

const isSpace = (ch: string) => /\s/.test(ch);

/**
 * Split command text into tokens. Whitespace separates tokens except inside quotes. A quote opens a quoted token only
 * at the start of a token, and closes at the last quote of its kind that stands before whitespace or the end (so
 * `John's report.pdf` is two plain tokens, and `"the "final" version.pdf"` one name); inside quotes `\"` is a quote.
 * `<...>` escapes are atomic. An unclosed quote is an ordinary character here (parseUploadCommand points it out).
 */
export function tokenize(raw: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = raw.length;
  while (i < n) {
    while (i < n && isSpace(raw[i] as string)) i++;
    if (i >= n) break;
    const open = raw[i] as string;
    const closers = QUOTES[open];
    if (closers !== undefined) {
      const end = findClosingQuote(raw, i + 1, closers);
      if (end !== -1) {
        tokens.push(makeToken(unescapeQuotes(raw.slice(i + 1, end)), true));
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

/** The last closing quote before whitespace or the end, skipping escapes (`<…>`) and backslash-escaped quotes. */
function findClosingQuote(raw: string, from: number, closers: string): number {
  let found = -1;
  for (let k = from; k < raw.length; k++) {
    const ch = raw[k] as string;
    if (ch === '\\') {
      k++;
      continue;
    }
    if (ch === '<') {
      const gt = raw.indexOf('>', k);
      if (gt === -1) break;
      k = gt;
      continue;
    }
    if (closers.includes(ch) && (k + 1 === raw.length || isSpace(raw[k + 1] as string))) found = k;
  }
  return found;
}

/** Inside quotes a backslash makes the next quote (or backslash) literal. */
const unescapeQuotes = (text: string): string => text.replace(/\\(["“”„«»'‘’\\])/g, '$1');

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

/** Every word `/upload-link` treats as a command (the admin ones, `revoke`, `links` and `help`). */
export const COMMAND_WORDS = [
  'allow',
  'disallow',
  'access',
  'admins',
  'settings',
  'audit',
  'revoke',
  'links',
  'help',
] as const;
export type CommandWord = (typeof COMMAND_WORDS)[number];

export type UploadCommand =
  | { kind: 'help' }
  | { kind: 'upload'; filename: string; expiry: string | undefined; singleUse: boolean }
  | { kind: 'missing-filename'; expiry: string }
  /** The first word is a slip of a command word (`alow`, `setings`, `admin`). */
  | { kind: 'did-you-mean'; typed: string; command: CommandWord }
  /** Mentions, channels, groups or `name=value` settings: never part of a file name. */
  | { kind: 'not-a-name'; what: 'mention' | 'channel' | 'usergroup' | 'special' | 'setting'; typed: string }
  /** Words after the expiry (or an expiry in the middle): it is unclear what was meant. */
  | { kind: 'leftover'; filename: string; expiry: string; leftover: string }
  | { kind: 'unclosed-quote'; typed: string }
  /** One plain word with no extension that is no command: a typo more often than a file name. */
  | { kind: 'bare-word'; word: string };

/** Damerau-Levenshtein distance (optimal string alignment), for telling a slip from a file name. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The command word `word` is a slip of: one edit away, two for longer words (`dissallow`, `setings`, `admin`). */
export function nearestCommand(word: string): CommandWord | undefined {
  const lower = word.toLowerCase();
  if (lower.length < 3 || /[^a-z-]/.test(lower)) return undefined;
  let best: { command: CommandWord; distance: number } | undefined;
  for (const command of COMMAND_WORDS) {
    const distance = editDistance(lower, command);
    const allowed = command.length >= 7 ? 2 : 1;
    if (distance > 0 && distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { command, distance };
    }
  }
  return best?.command;
}

const plain = (t: Token | undefined): t is Token =>
  t !== undefined && !t.quoted && t.pieces.every((p) => p.kind === 'text');

const hasExtension = (t: Token) => /\.[^.\s]+$/.test(t.text);

const SETTING_WORD = /^[a-z][a-z-]*=/i;

/** Something in the text that can never be part of a file name, if anything. */
function notAName(tokens: readonly Token[]): Extract<UploadCommand, { kind: 'not-a-name' }> | undefined {
  for (const token of tokens) {
    const special = token.pieces.find((p) => p.kind !== 'text' && p.kind !== 'link');
    if (special !== undefined) {
      const what = special.kind as 'user' | 'channel' | 'usergroup' | 'special';
      return { kind: 'not-a-name', what: what === 'user' ? 'mention' : what, typed: token.text };
    }
    if (plain(token) && SETTING_WORD.test(token.text))
      return { kind: 'not-a-name', what: 'setting', typed: token.text };
  }
  return undefined;
}

/** An expiry as the last word: anything shaped like a number and letters, signed too (`-1h`), to be checked later. */
const looksLikeExpiry = (t: Token | undefined): t is Token =>
  plain(t) && (looksLikeDuration(t.text) || /^[-+−]\d+(?:[.,]\d+)?\s*[a-z]+$/i.test(t.text));

/**
 * `[filename...] [expiry] [once]`, or a slip: what was typed, read the way a careful person would read it, and
 * refused with what was understood when it cannot be a file name.
 */
export function parseUploadCommand(allTokens: readonly Token[]): UploadCommand {
  const first = allTokens[0];
  if (first === undefined) return { kind: 'help' };
  if (allTokens.length === 1 && !first.quoted && HELP_WORDS.has(first.text.toLowerCase())) return { kind: 'help' };
  const unclosed = allTokens.find((t) => !t.quoted && DOUBLE_QUOTES.includes(t.text[0] ?? ''));
  if (unclosed !== undefined) return { kind: 'unclosed-quote', typed: unclosed.text.slice(1) };
  if (plain(first) && !hasExtension(first)) {
    const command = nearestCommand(first.text);
    if (command !== undefined && !allTokens.some((t) => t !== first && hasExtension(t))) {
      return { kind: 'did-you-mean', typed: first.text, command };
    }
  }
  const mention = notAName(allTokens);
  if (mention !== undefined) return mention;

  const { tokens, once } = takeOnce(allTokens);
  const expiryAt = expiryIndex(tokens);
  if (expiryAt === undefined) return nameOnly(tokens, once);
  const { index, length } = expiryAt;
  const expiry = tokens
    .slice(index, index + length)
    .map((t) => t.text)
    .join(' ');
  let nameTokens = tokens.slice(0, index);
  const after = tokens.slice(index + length);
  // `once` just before the expiry counts as well as after it.
  const onceBefore = nameTokens.length > 1 && isOnce(nameTokens.at(-1));
  if (onceBefore) nameTokens = nameTokens.slice(0, -1);
  const onceAfter = after.length === 1 && isOnce(after[0]);
  if (after.length > 0 && !onceAfter) {
    return { kind: 'leftover', filename: joinName(nameTokens), expiry, leftover: joinName(after) };
  }
  if (nameTokens.length === 0) return { kind: 'missing-filename', expiry };
  return { kind: 'upload', filename: joinName(nameTokens), expiry, singleUse: once || onceAfter || onceBefore };
}

const isOnce = (t: Token | undefined) => plain(t) && t.text.toLowerCase() === 'once';

/** `once`, last: the partner page closes after one upload. */
function takeOnce(tokens: readonly Token[]): { tokens: readonly Token[]; once: boolean } {
  return tokens.length > 1 && isOnce(tokens.at(-1))
    ? { tokens: tokens.slice(0, -1), once: true }
    : { tokens, once: false };
}

const joinName = (tokens: readonly Token[]) => tokens.map((t) => t.text).join(' ');

/**
 * Where the expiry is: the last word when shaped like one (`2h`, `1.5h`, `-1h`: checked later), "2 hours" as two
 * words, or a valid duration anywhere else (then the words after it are left over).
 */
function expiryIndex(tokens: readonly Token[]): { index: number; length: number } | undefined {
  const last = tokens.length - 1;
  const twoWords = (i: number) => {
    const [number, unit] = [tokens[i], tokens[i + 1]];
    return (
      plain(number) && plain(unit) && /^\d+$/.test(number.text) && parseDuration(number.text + unit.text) !== undefined
    );
  };
  if (last >= 1 && twoWords(last - 1)) return { index: last - 1, length: 2 };
  if (looksLikeExpiry(tokens[last])) return { index: last, length: 1 };
  for (let i = 0; i < last; i++) {
    const token = tokens[i];
    if (plain(token) && parseDuration(token.text) !== undefined) return { index: i, length: 1 };
    if (i < last - 1 && twoWords(i)) return { index: i, length: 2 };
  }
  return undefined;
}

function nameOnly(tokens: readonly Token[], once: boolean): UploadCommand {
  const [only] = tokens;
  // Only words: a name of dots and slashes (`../..`) is checked as a file name and refused there.
  if (tokens.length === 1 && plain(only) && /^[\p{L}\p{N}_-]+$/u.test(only.text)) {
    return { kind: 'bare-word', word: only.text };
  }
  return { kind: 'upload', filename: joinName(tokens), expiry: undefined, singleUse: once };
}
