/** Lines (src/core/text.ts) as terminal text: ids for mentions, no markup, the CLI's own spelling of commands. */
import { spellUsage } from '../core/admin/usage.js';
import type { Emoji, Inline, Line } from '../core/text.js';
import { isoSeconds } from '../lib/time.js';

export const NAME = 'upload-link';

const EMOJI: Partial<Record<Emoji, string>> = { ok: '✓', removed: '✗', warning: '!' };

/**
 * Control characters never reach the terminal raw (an escape sequence in a name could rewrite the screen): they are
 * shown as `\u001b`-style escapes.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const visible = (text: string) => text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

function piece(p: Inline): string {
  if (typeof p === 'string') return visible(p);
  if ('user' in p) return `@${p.user}`;
  if ('channel' in p) return `#${p.channel}`;
  if ('usergroup' in p) return `@${p.usergroup}`;
  if ('actor' in p) return p.actor === 'cli' ? 'the CLI' : `@${p.actor}`;
  // Code keeps its backticks, so a value with spaces stays delimited.
  if ('code' in p) return `\`${visible(p.code)}\``;
  if ('command' in p) return `\`${NAME} ${toTerminal(p.command)}\``;
  if ('strong' in p) return toTerminal(p.strong);
  if ('date' in p) return isoSeconds(p.date);
  if ('emoji' in p) return EMOJI[p.emoji] ?? '';
  return `${NAME} ${spellUsage(p.usage, 'cli')}`;
}

export function toTerminal(line: Line): string {
  let out = '';
  let dropSpace = false;
  for (const p of line) {
    let text = piece(p);
    if (dropSpace && text.startsWith(' ')) text = text.slice(1);
    // An emoji the terminal does not show takes its following space with it.
    dropSpace = text === '' && typeof p === 'object' && 'emoji' in p;
    out += text;
  }
  return out;
}
