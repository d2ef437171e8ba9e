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

export type LinkRef =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly reason: 'not-an-id' | 'other-site' };

/**
 * What was typed after `revoke`: the id itself, or a pasted page address (`PUBLIC_URL/u/<id>`; Slack sends it as a
 * link, whose target this gets). An address of another site, or of no partner page, is not taken apart.
 */
export function linkRefFrom(text: string, publicUrl: string | undefined): LinkRef {
  const typed = text.trim();
  if (/^https?:\/\//i.test(typed)) {
    const base = publicUrl?.replace(/\/+$/, '');
    const url = URL.canParse(typed) ? new URL(typed) : undefined;
    const match = url === undefined ? null : /^(.*)\/u\/([^/?#]+)\/?$/.exec(`${url.origin}${url.pathname}`);
    if (base === undefined || match === null || match[1] !== base) return { ok: false, reason: 'other-site' };
    return LINK_ID.test(match[2] ?? '') ? { ok: true, id: match[2] as string } : { ok: false, reason: 'not-an-id' };
  }
  return LINK_ID.test(typed) ? { ok: true, id: typed } : { ok: false, reason: 'not-an-id' };
}

export type RevokeOutcome =
  | {
      readonly kind: 'revoked';
      readonly filename: string;
      readonly page: boolean;
      /** The raw URL given out with the link, still good until then (S3 alone decides that). */
      readonly rawUrlUntil: Date | undefined;
    }
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
  const now = deps.now();
  const result = await deps.store.links.revoke(id, actor, now);
  if (result !== 'revoked') return { kind: result };
  const rawUrlUntil = link.urlExpiresAt !== undefined && link.urlExpiresAt > now ? link.urlExpiresAt : undefined;
  return { kind: 'revoked', filename: link.filename, page: link.page, rawUrlUntil };
}

export const revokeUsageLine: Line = [
  'Give the link to revoke: ',
  command('revoke <link id or partner page address>'),
  '. Nothing was changed.',
];

export function describeBadRef(reason: Extract<LinkRef, { ok: false }>['reason'], typed: string): Line {
  return reason === 'other-site'
    ? [
        `"${typed}" isn't one of this bot's partner pages, so there is nothing here to revoke. `,
        command('links'),
        ' lists your links. Nothing was changed.',
      ]
    : [
        `"${typed}" isn't a link id: an id is the 22 letters, digits, - and _ at the end of the partner page address. `,
        command('links'),
        ' lists your links with a Revoke button each. Nothing was changed.',
      ];
}

export function describeRevoke(outcome: RevokeOutcome): Line {
  switch (outcome.kind) {
    case 'missing':
      return ["I can't find that link. Check the id (the last part of the partner page address). Nothing was changed."];
    case 'not-yours':
      return ['Only the person who created this link, or an admin, can revoke it. Nothing was changed.'];
    case 'already-closed':
      return ['That link was already closed.'];
    case 'revoked': {
      const head: Line = outcome.page
        ? [
            emoji('removed'),
            ' Revoked: the partner page for ',
            strong(outcome.filename),
            ' signs no new uploads. One already started may still finish (it would be recorded, and announced).',
          ]
        : [emoji('removed'), ' Revoked: the link for ', strong(outcome.filename), ' is closed.'];
      if (outcome.rawUrlUntil === undefined) return head;
      return [
        ...head,
        ' The raw URL given out with it keeps working until ',
        { date: outcome.rawUrlUntil },
        ': S3 alone decides that.',
      ];
    }
  }
}

/** Whose links `/upload-link links` lists: yours in this channel, or (admins) a channel's or every channel's. */
export type LinksScope =
  | { readonly kind: 'mine'; readonly channelId: string; readonly userId: string }
  | { readonly kind: 'channel'; readonly channelId: string }
  | { readonly kind: 'everywhere' };

export type LinksOutcome =
  | {
      readonly kind: 'links';
      readonly scope: LinksScope;
      /** Newest first, at most LINKS_SHOWN. */
      readonly links: readonly PartnerLink[];
      readonly total: number;
      readonly now: Date;
    }
  | { readonly kind: 'links-not-admin'; readonly admins: readonly string[] }
  | { readonly kind: 'links-usage'; readonly typed: string };

/** As many as fit in one message with a button each (Slack: 50 blocks). */
export const LINKS_SHOWN = 40;

/**
 * `links`, `links #channel`, `links everywhere` (the last two for admins). `target` is what followed `links`:
 * nothing, a channel id, `everywhere`, or something else (typed).
 */
export async function listLinks(
  deps: { readonly store: Store; readonly access: AccessPolicy; readonly now: () => Date },
  userId: string,
  channelId: string,
  target:
    | { kind: 'none' }
    | { kind: 'channel'; id: string }
    | { kind: 'everywhere' }
    | { kind: 'other'; typed: string },
): Promise<LinksOutcome> {
  if (target.kind === 'other') return { kind: 'links-usage', typed: target.typed };
  let scope: LinksScope = { kind: 'mine', channelId, userId };
  if (target.kind !== 'none') {
    if (!(await deps.access.isAdmin(userId))) return { kind: 'links-not-admin', admins: await deps.access.admins() };
    scope = target.kind === 'everywhere' ? { kind: 'everywhere' } : { kind: 'channel', channelId: target.id };
  }
  const query =
    scope.kind === 'mine'
      ? { channelId: scope.channelId, requester: scope.userId }
      : scope.kind === 'channel'
        ? { channelId: scope.channelId }
        : {};
  const [links, total] = await Promise.all([
    deps.store.links.list({ ...query, limit: LINKS_SHOWN }),
    deps.store.links.count(query),
  ]);
  return { kind: 'links', scope, links, total, now: deps.now() };
}

/** A link's state in words: open (until when), arrived N times, revoked, expired. */
export function describeLinkState(link: PartnerLink, now: Date): Line {
  const state = linkState(link, now);
  const arrived: Line =
    link.uploads === 0
      ? []
      : [
          `arrived ${link.uploads === 1 ? 'once' : `${link.uploads} times`}`,
          link.uploadedAt ? ' (last ' : '',
          ...(link.uploadedAt ? [{ date: link.uploadedAt }, ')'] : []),
        ];
  const sep = (parts: Line): Line => (arrived.length === 0 ? parts : [...arrived, '; ', ...parts]);
  switch (state) {
    case 'open':
      return sep(['open, expires ', { date: link.expiresAt }]);
    case 'used':
      return [...arrived, '; closed (single-use)'];
    case 'revoked':
      return sep(['revoked ', ...(link.revokedAt ? [{ date: link.revokedAt } as const] : [])]);
    case 'expired':
      return sep(['expired ', { date: link.expiresAt }]);
  }
}
