/**
 * Words the bot says, before any surface has touched them: a line is a list of pieces, and only a piece's kind says
 * what it is (a mention, a channel, code, a date). Each surface serialises lines its own way (Slack mrkdwn in
 * src/slack/mrkdwn.ts, a terminal in src/cli/render.ts) and escapes every plain string there, in one place, so text
 * that came from a user (a file name, a prefix, a typed word) can never turn into markup on any surface.
 */

export type Inline =
  /** Plain text, shown exactly as it is. */
  | string
  | { readonly user: string }
  | { readonly channel: string }
  | { readonly usergroup: string }
  /** Who did something: a user id, or `cli`. */
  | { readonly actor: string }
  /** A literal value, in code style. */
  | { readonly code: string }
  /** A slash command (the CLI shows its own name for it), in code style. */
  | { readonly command: Line }
  | { readonly strong: Line }
  | { readonly date: Date }
  | { readonly emoji: Emoji }
  /** A command's usage, spelled as the surface spells it. */
  | UsageLine;

export type Emoji = 'ok' | 'removed' | 'warning' | 'info' | 'inbox';

export type Line = readonly Inline[];

export const user = (id: string): Inline => ({ user: id });
export const channel = (id: string): Inline => ({ channel: id });
export const usergroup = (id: string): Inline => ({ usergroup: id });
export const actor = (id: string): Inline => ({ actor: id });
export const code = (text: string): Inline => ({ code: text });
export const strong = (...parts: Inline[]): Inline => ({ strong: parts });
export const emoji = (name: Emoji): Inline => ({ emoji: name });
export const command = (...parts: Inline[]): Inline => ({ command: parts });

/** `a, b, c`: pieces joined by a separator. */
export function joined(items: readonly Inline[], separator = ', '): Inline[] {
  return items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]));
}

/** `a, b, c … and 7 more`: a list that stays readable (and within a message's limits) however long it gets. */
export function joinedAtMost(items: readonly Inline[], max: number, separator = ', '): Inline[] {
  if (items.length <= max) return joined(items, separator);
  return [...joined(items.slice(0, max), separator), ` … and ${items.length - max} more`];
}

/** The plain characters of a line, for length budgets (what a reader sees, roughly). */
export function plainLength(line: Line): number {
  let n = 0;
  for (const piece of line) {
    if (typeof piece === 'string') n += piece.length;
    else if ('code' in piece) n += piece.code.length + 2;
    else if ('strong' in piece) n += plainLength(piece.strong) + 2;
    else if ('command' in piece) n += plainLength(piece.command) + 14;
    else if ('usage' in piece) n += 80;
    else n += 24;
  }
  return n;
}

/**
 * A command's usage as data: each surface spells the parts its own way (Slack: `@person`, `[#channel]`; the CLI,
 * which has no current channel and no autocomplete: `<user id>`, `<channel id>`).
 */
export type UsagePart =
  | { readonly kind: 'word'; readonly text: string }
  /** People (and, with `groups`, user groups), one or more. */
  | { readonly kind: 'people'; readonly groups: boolean }
  /** The channel a rule applies to; `everywhere` offers that too. Optional in Slack (the current channel). */
  | { readonly kind: 'channel'; readonly everywhere: boolean; readonly optionalInCli: boolean }
  | { readonly kind: 'optional'; readonly parts: readonly UsagePart[] };

/** `Usage: …`: shown after a mistake, always with the surface's own spelling. */
export type UsageLine = { readonly usage: readonly UsagePart[] };
