/** Lines (src/core/text.ts) as terminal text: ids for mentions, no markup, the CLI's own spelling of commands. */
import { spellUsage } from '../core/admin/usage.js';
import type { Emoji, Inline, Line } from '../core/text.js';
import { isoSeconds } from '../lib/time.js';

export const NAME = 'upload-link';

const EMOJI: Partial<Record<Emoji, string>> = { ok: '✓', removed: '✗', warning: '!' };

function piece(p: Inline): string {
  if (typeof p === 'string') return p;
  if ('user' in p) return `@${p.user}`;
  if ('channel' in p) return `#${p.channel}`;
  if ('usergroup' in p) return `@${p.usergroup}`;
  if ('actor' in p) return p.actor === 'cli' ? 'the CLI' : `@${p.actor}`;
  // Code keeps its backticks, so a value with spaces stays delimited.
  if ('code' in p) return `\`${p.code}\``;
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
