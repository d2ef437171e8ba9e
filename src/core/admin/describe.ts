/** Admin outcomes in words, for every surface (each serialises the lines its own way). */

import { utcMinutes } from '../../lib/time.js';
import { describeAuditEvent } from '../audit.js';
import { EVERYWHERE, type Subject } from '../model.js';
import { settingsLines } from '../settings.js';
import {
  actor,
  channel,
  code,
  command,
  emoji,
  type Inline,
  joined,
  joinedAtMost,
  type Line,
  strong,
  type UsageLine,
  user,
  usergroup,
} from '../text.js';
import type { AdminChange, AdminOutcome, GroupMembers } from './execute.js';
import type { Scope } from './parse.js';
import { type AdminCommandName, USAGE } from './usage.js';

export const subjectRef = (s: Subject) => (s.type === 'user' ? user(s.id) : usergroup(s.id));
/** Mentions in one line at most: 200 entries would not fit in a Slack section (3,000 characters). */
const MAX_MENTIONS = 60;
const subjects = (list: readonly Subject[]) => joinedAtMost(list.map(subjectRef), MAX_MENTIONS);
const scopeRef = (scope: Scope) => (scope.kind === 'everywhere' ? 'every channel' : channel(scope.id));

export const usageOf = (name: AdminCommandName): UsageLine => ({ usage: USAGE[name] });

export function notAdminLine(admins: readonly string[]): Line {
  return admins.length > 0
    ? [
        'Only admins can manage upload-link access. The admins are ',
        ...joined(admins.map(user)),
        '; nothing was changed.',
      ]
    : ['Only admins can manage upload-link access, and none are set up yet (ADMIN_USER_IDS). Nothing was changed.'];
}

export function invalidLines(name: AdminCommandName, problem: Line): Line[] {
  return [
    [...problem, ' Nothing was changed.'],
    ['Usage: ', usageOf(name)],
  ];
}

const ADMIN_CHANGES: Record<AdminChange, (who: Inline) => Line> = {
  'config-admin': (who) => [who, ' is already an admin (configuration).'],
  added: (who) => [emoji('ok'), ' ', who, ' is now an admin.'],
  'already-admin': (who) => [who, ' is already an admin.'],
  'config-admin-kept': (who) => [
    who,
    " is an admin by the bot's configuration (ADMIN_USER_IDS) and can't be removed from Slack.",
  ],
  'last-admin': (who) => [who, ' is the last admin; add another admin first, so someone can still manage access.'],
  removed: (who) => [emoji('removed'), ' ', who, ' is no longer an admin.'],
  'not-admin': (who) => [who, ' was not an admin; nothing changed.'],
};

export function describeAdminOutcome(outcome: AdminOutcome): Line[] {
  switch (outcome.kind) {
    case 'not-admin':
      return [notAdminLine(outcome.admins)];
    case 'invalid':
      return invalidLines(outcome.command, outcome.problem);
    case 'allowed': {
      const lines: Line[] = [];
      const where = scopeRef(outcome.scope);
      if (outcome.changed.length > 0) {
        lines.push([emoji('ok'), ' ', ...subjects(outcome.changed), ' may now create upload links in ', where, '.']);
      }
      if (outcome.unchanged.length > 0) {
        lines.push([...subjects(outcome.unchanged), ' already could in ', where, '; nothing changed for them.']);
      }
      return lines;
    }
    case 'disallowed':
      return disallowedLines(outcome);
    case 'admins': {
      const lines: Line[] = [[strong('Admins')]];
      for (const id of outcome.config) lines.push(['• ', user(id), ' (configuration, ADMIN_USER_IDS)']);
      for (const a of outcome.stored) {
        if (!outcome.config.includes(a.userId))
          lines.push(['• ', user(a.userId), ' (added by ', actor(a.addedBy), ')']);
      }
      if (lines.length === 1) {
        lines.push(['No admins yet. Set ADMIN_USER_IDS, or run ', code('npx upload-link admins add <user id>'), '.']);
      }
      return lines;
    }
    case 'admins-changed':
      return outcome.results.map(({ user: id, change }) => ADMIN_CHANGES[change](user(id)));
    case 'settings': {
      const head: Line = outcome.updated
        ? [emoji('ok'), ' Updated settings for ', channel(outcome.channelId)]
        : [strong('Settings for ', channel(outcome.channelId))];
      const lines = [head, ...settingsLines(outcome.global, outcome.channelId, outcome.settings)];
      if (outcome.outsidePrefix !== undefined) {
        lines.push([
          emoji('warning'),
          ' ',
          code(outcome.outsidePrefix),
          ' is outside ',
          code(outcome.global.uploadPrefix),
          ": make sure the bot's IAM policy allows s3:PutObject there.",
        ]);
      }
      return lines;
    }
    case 'access':
      return accessLines(outcome);
    case 'audit': {
      const { events, channelId } = outcome;
      if (events.length === 0) {
        return [['Nothing recorded yet', ...(channelId === undefined ? [] : [' for ', channel(channelId)]), '.']];
      }
      const count = `Last ${events.length} event${events.length === 1 ? '' : 's'}`;
      const header = strong(count, ...(channelId === undefined ? [] : [' in ', channel(channelId)]));
      return [
        [header, ' (newest first)'],
        ...events.map((e): Line => ['• ', utcMinutes(e.at), ' · ', ...describeAuditEvent(e)]),
      ];
    }
  }
}

function disallowedLines(outcome: Extract<AdminOutcome, { kind: 'disallowed' }>): Line[] {
  const lines: Line[] = [];
  const where = scopeRef(outcome.scope);
  if (outcome.changed.length > 0) {
    lines.push([
      emoji('removed'),
      ' ',
      ...subjects(outcome.changed),
      ' may no longer create upload links in ',
      where,
      '.',
    ]);
  }
  if (outcome.unchanged.length > 0) {
    lines.push([...subjects(outcome.unchanged), ' had no entry for ', where, '; nothing changed for them.']);
  }
  for (const { user: id, variable } of outcome.byConfig) {
    lines.push([
      user(id),
      ` is still allowed everywhere by the bot's configuration (${variable}), which only whoever runs the bot can change.`,
    ]);
  }
  for (const s of outcome.stillEverywhere) {
    lines.push([
      subjectRef(s),
      ' still has an "everywhere" entry; use ',
      command('disallow ', subjectRef(s), ' everywhere'),
      ' to remove it.',
    ]);
  }
  return lines;
}

function groupLine({ group, ...found }: GroupMembers): Line {
  const head: Line = ['• Via ', subjectRef(group), ': '];
  if ('unavailable' in found) return [...head, `members unavailable ${found.unavailable}`];
  const members = found.members.map(user);
  return [...head, ...(members.length > 0 ? joinedAtMost(members, MAX_MENTIONS) : ['no members right now'])];
}

function accessLines(outcome: Extract<AdminOutcome, { kind: 'access' }>): Line[] {
  const lines: Line[] = [[strong('Who may create upload links in ', channel(outcome.channelId))]];
  if (outcome.admins.length > 0) {
    lines.push(['• Admins (every channel): ', ...joinedAtMost(outcome.admins.map(user), MAX_MENTIONS)]);
  }
  const everywhere = [
    ...outcome.configAllowed.map((id): Line => [user(id), ' (configuration)']),
    ...outcome.entries.filter((e) => e.scope === EVERYWHERE).map((e): Line => [subjectRef(e)]),
  ];
  if (everywhere.length > 0) {
    const hidden = everywhere.length - MAX_MENTIONS;
    const shown = joinedLines(everywhere.slice(0, MAX_MENTIONS));
    lines.push(['• Allowed everywhere: ', ...shown, ...(hidden > 0 ? [` … and ${hidden} more`] : [])]);
  }
  const here = outcome.entries.filter((e) => e.scope !== EVERYWHERE);
  if (here.length > 0) lines.push(['• Allowed in this channel: ', ...subjects(here)]);
  lines.push(...outcome.groups.map(groupLine));
  if (lines.length === 1) {
    lines.push(['Nobody yet. ', command('allow @person'), ' gives someone access here.']);
  }
  return lines;
}

const joinedLines = (lines: readonly Line[]): Line => lines.flatMap((line, i) => (i === 0 ? line : [', ', ...line]));
