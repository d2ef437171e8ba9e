/**
 * Partner links: how one stands (open, or how it closed) and closing one, from the reply's Revoke button or
 * `/upload-link revoke <id>`. Admins may revoke any link, others only their own. The raw URL of the same reply (if
 * any) is not affected: S3 alone decides that.
 */
import type { AccessPolicy } from './access.js';
import type { PartnerLink } from './model.js';
import type { Store } from './ports.js';
import { command, emoji, type Line, strong } from './text.js';

export type LinkState = 'open' | 'expired' | 'revoked' | 'used';

export function linkState(link: PartnerLink, now: Date): LinkState {
  if (link.revokedAt !== undefined) return 'revoked';
  if (link.singleUse && link.uploads > 0) return 'used';
  if (link.expiresAt <= now) return 'expired';
  return 'open';
}

/** 128 random bits, base64url. */
export const LINK_ID = /^[A-Za-z0-9_-]{22}$/;

/** Accepts the id itself or a pasted page address (`https://…/u/<id>`, maybe as a Slack link `<https://…>`). */
export function linkIdFrom(text: string): string | undefined {
  const match = /(?:\/u\/)?([A-Za-z0-9_-]{22})(?:[>|?#/].*)?$/.exec(text.trim());
  return match?.[1];
}

export type RevokeOutcome =
  | { readonly kind: 'revoked'; readonly filename: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-yours' }
  | { readonly kind: 'already-closed' };

export async function revokePartnerLink(
  deps: { readonly store: Store; readonly access: AccessPolicy; readonly now: () => Date },
  actor: string,
  id: string,
): Promise<RevokeOutcome> {
  const link = await deps.store.links.get(id);
  if (link === undefined) return { kind: 'missing' };
  if (link.requester !== actor && !(await deps.access.isAdmin(actor))) return { kind: 'not-yours' };
  const result = await deps.store.links.revoke(id, actor, deps.now());
  if (result === 'revoked') return { kind: 'revoked', filename: link.filename };
  return { kind: result };
}

export const revokeUsageLine: Line = [
  'Give the link to revoke: ',
  command('revoke <link id or partner page address>'),
  '. Nothing was changed.',
];

export function describeRevoke(outcome: RevokeOutcome): Line {
  switch (outcome.kind) {
    case 'missing':
      return ["I can't find that link. Check the id (the last part of the partner page address). Nothing was changed."];
    case 'not-yours':
      return ['Only the person who created this link, or an admin, can revoke it. Nothing was changed.'];
    case 'already-closed':
      return ['That link was already closed.'];
    case 'revoked':
      return [
        emoji('removed'),
        ' Revoked: the partner page for ',
        strong(outcome.filename),
        ' is closed and accepts no more uploads.',
      ];
  }
}
