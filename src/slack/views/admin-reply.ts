/** Admin and revoke outcomes as Slack replies: the shared words (src/core/admin/describe.ts) in mrkdwn. */
import { describeAdminOutcome, invalidLines, notAdminLine } from '../../core/admin/describe.js';
import type { AdminOutcome } from '../../core/admin/execute.js';
import type { AdminCommandName } from '../../core/admin/usage.js';
import { describeBadRef, describeRevoke, type LinkRef, type RevokeOutcome, revokeUsageLine } from '../../core/links.js';
import type { Line } from '../../core/text.js';
import { toMrkdwn } from '../mrkdwn.js';
import { ephemeral, linesReply, type Reply } from './blocks.js';

export const renderAdminOutcome = (outcome: AdminOutcome): Reply => linesReply(describeAdminOutcome(outcome));

/** The store could not be reached: nothing was created or changed. */
export const STORE_UNAVAILABLE_LINE: Line = [
  'The access store is temporarily unavailable, so nothing was created or changed. Please try again in a moment.',
];

/** The admin replies as the text Slack receives (tests and the Home tab's feedback use them). */
export const adminMessages = {
  notAdmin: (admins: readonly string[]) => toMrkdwn(notAdminLine(admins)),
  storeUnavailable: toMrkdwn(STORE_UNAVAILABLE_LINE),
  usage: (command: AdminCommandName, problem: Line) => invalidLines(command, problem).map(toMrkdwn).join('\n'),
} as const;

export const renderRevoke = (outcome: RevokeOutcome): Reply => ephemeral(toMrkdwn(describeRevoke(outcome)));

export const revokeMessages = {
  usage: toMrkdwn(revokeUsageLine),
  missing: toMrkdwn(describeRevoke({ kind: 'missing' })),
  notYours: toMrkdwn(describeRevoke({ kind: 'not-yours' })),
  already: toMrkdwn(describeRevoke({ kind: 'already-closed' })),
  revoked: (filename: string, rawUrlUntil?: Date) =>
    toMrkdwn(describeRevoke({ kind: 'revoked', filename, page: true, rawUrlUntil })),
} as const;

export const renderBadRef = (reason: Extract<LinkRef, { ok: false }>['reason'], typed: string): Reply =>
  ephemeral(toMrkdwn(describeBadRef(reason, typed)));
