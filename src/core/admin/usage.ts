/** The admin commands and how each is used, as data (see UsagePart in ../text.ts). */
import type { UsagePart } from '../text.js';

export const ADMIN_COMMANDS = ['allow', 'disallow', 'access', 'admins', 'settings', 'audit'] as const;
export type AdminCommandName = (typeof ADMIN_COMMANDS)[number];

const word = (text: string): UsagePart => ({ kind: 'word', text });
const optional = (...parts: UsagePart[]): UsagePart => ({ kind: 'optional', parts });

export const USAGE: Record<AdminCommandName, readonly UsagePart[]> = {
  allow: [word('allow'), { kind: 'people', groups: true }, { kind: 'channel', everywhere: true, optionalInCli: false }],
  disallow: [
    word('disallow'),
    { kind: 'people', groups: true },
    { kind: 'channel', everywhere: true, optionalInCli: false },
  ],
  access: [word('access'), { kind: 'channel', everywhere: false, optionalInCli: false }],
  admins: [word('admins'), optional(word('add | remove'), { kind: 'people', groups: false })],
  settings: [
    word('settings'),
    { kind: 'channel', everywhere: false, optionalInCli: false },
    optional(word('prefix=<folder/>')),
    optional(word('default-expiry=<2h>')),
    optional(word('max-expiry=<3d>')),
    optional(word('max-size=<200MB>')),
    optional(word('types=<pdf,xlsx>')),
  ],
  audit: [word('audit'), { kind: 'channel', everywhere: false, optionalInCli: true }, optional(word('N'))],
};

/** Commands for everyone, beside the admin ones. */
export const USER_USAGE = {
  upload: [word('<file name>'), optional(word('<expiry: 45m, 2h, 3d, 1w>')), optional(word('once'))],
  links: [word('links')],
  revoke: [word('revoke <link id or partner page address>')],
  help: [word('help')],
} as const satisfies Record<string, readonly UsagePart[]>;

/** What admins may add to `links`: another channel's, or every channel's. */
export const ADMIN_LINKS_USAGE: readonly UsagePart[] = [
  word('links'),
  { kind: 'channel', everywhere: true, optionalInCli: true },
];

/** The usage to show after a slip of `command`. */
export const usageFor = (command: AdminCommandName | keyof typeof USER_USAGE): readonly UsagePart[] =>
  command in USAGE ? USAGE[command as AdminCommandName] : USER_USAGE[command as keyof typeof USER_USAGE];

export type UsageSurface = 'slack' | 'cli';

/** One usage as a surface writes it, after the command's own name (`/upload-link` or `upload-link`). */
export function spellUsage(parts: readonly UsagePart[], surface: UsageSurface): string {
  const spell = (part: UsagePart): string => {
    switch (part.kind) {
      case 'word':
        return part.text;
      case 'people':
        if (surface === 'slack') return part.groups ? '@person @group …' : '@person …';
        return part.groups ? '<user or group id>…' : '<user id>…';
      case 'channel':
        if (part.everywhere) return surface === 'slack' ? '[#channel | everywhere]' : '<channel id | everywhere>';
        if (surface === 'slack') return '[#channel]';
        return part.optionalInCli ? '[<channel id>]' : '<channel id>';
      case 'optional':
        return `[${part.parts.map(spell).join(' ')}]`;
    }
  };
  return parts.map(spell).join(' ');
}
