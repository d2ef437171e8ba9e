/**
 * Closing a partner page: from the reply's Revoke button or `/upload-link revoke <id>`. Admins may revoke any
 * link, others only their own. The raw URL of the same reply (if any) is not affected: S3 alone decides that.
 */

import type { AccessStore } from '../store/index.js';
import type { AccessPolicy } from './access.js';

export const revokeMessages = {
  usage: 'Give the link to revoke: `/upload-link revoke <link id or partner page address>`. Nothing was changed.',
  missing: "I can't find that link. Check the id (the last part of the partner page address). Nothing was changed.",
  notYours: 'Only the person who created this link, or an admin, can revoke it. Nothing was changed.',
  already: 'That link was already closed.',
  revoked: (filename: string) =>
    `:no_entry: Revoked: the partner page for *${filename}* is closed and accepts no more uploads.`,
} as const;

/** Accepts the id itself or a pasted page address (`https://…/u/<id>`, maybe as a Slack link `<https://…>`). */
export function linkIdFrom(text: string): string | undefined {
  const match = /(?:\/u\/)?([A-Za-z0-9_-]{22})(?:[>|?#/].*)?$/.exec(text.trim());
  return match?.[1];
}

export async function revokePartnerLink(
  deps: { readonly store: AccessStore; readonly access: AccessPolicy; readonly now: () => Date },
  actor: string,
  id: string,
): Promise<string> {
  const link = await deps.store.getLink(id);
  if (link === undefined) return revokeMessages.missing;
  if (link.requester !== actor && !(await deps.access.isAdmin(actor))) return revokeMessages.notYours;
  const result = await deps.store.revokeLink(id, actor, deps.now());
  if (result === 'missing') return revokeMessages.missing;
  if (result === 'already-closed') return revokeMessages.already;
  return revokeMessages.revoked(link.filename);
}
