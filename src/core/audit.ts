/**
 * The audit trail's events, one type per action, and the one place that reads a stored event back.
 *
 * Every link issued or refused and every change is recorded before the reply (changes in the same transaction).
 * A detail never holds a URL: a pre-signed URL is a credential.
 */
import { z } from 'zod';
import { utcMinutes } from '../lib/time.js';
import { formatDuration } from './durations.js';
import { formatSize } from './limits.js';
import { actor, channel, code, joined, type Line, user, usergroup } from './text.js';

const linkIssued = z.object({
  filename: z.string(),
  key: z.string(),
  expiresAt: z.string(),
  /** What allowed it: `admin`, `channel`, `everywhere` or `group:<id>` (absent on rows written before it was kept). */
  grant: z.string().optional(),
  /** The partner link's id, when the link has a partner page. */
  link: z.string().optional(),
  singleUse: z.boolean().optional(),
});

const DETAILS = {
  'link.issued': linkIssued,
  'link.refused': z.object({ filename: z.string().optional(), groupsUnchecked: z.boolean().optional() }),
  'link.revoked': z.object({ link: z.string(), key: z.string(), filename: z.string() }),
  'link.uploaded': z.object({
    link: z.string(),
    key: z.string(),
    filename: z.string(),
    size: z.number(),
    /** Absent when only an S3 event told of it (event records carry no type). */
    contentType: z.string().optional(),
    requester: z.string(),
    /** The object's ETag as S3 gave it (rows written before it was kept have none). */
    etag: z.string().optional(),
    /** How the bot learnt of it (absent on rows written before sources were kept: the page). */
    source: z.enum(['page', 'event', 'poll']).optional(),
    /** Another object had arrived at the key before: this one replaced it. */
    replaced: z.boolean().optional(),
    /** It landed after the link was revoked. */
    afterRevoke: z.boolean().optional(),
  }),
  'access.allow': z.object({ scope: z.string(), subjects: z.array(z.string()) }),
  'access.disallow': z.object({ scope: z.string(), subjects: z.array(z.string()) }),
  'admin.add': z.object({ user: z.string() }),
  'admin.remove': z.object({ user: z.string() }),
  'settings.update': z.object({
    prefix: z.string().nullable(),
    defaultExpirySeconds: z.number().nullable(),
    maxExpirySeconds: z.number().nullable(),
    maxSizeBytes: z.number().nullable(),
    allowedTypes: z.string().nullable(),
  }),
} as const;

export type AuditAction = keyof typeof DETAILS;
export const AUDIT_ACTIONS = Object.keys(DETAILS) as AuditAction[];

export type AuditDetail<A extends AuditAction> = z.infer<(typeof DETAILS)[A]>;

/** One event as written: who did what, where, with the action's own detail. */
export type AuditEvent = {
  [A in AuditAction]: {
    readonly actor: string;
    readonly action: A;
    readonly channelId: string | undefined;
    readonly detail: AuditDetail<A>;
  };
}[AuditAction];

export type AuditRecord = AuditEvent & { readonly id: number; readonly at: Date };

export interface AuditQuery {
  readonly channelId?: string;
  readonly actor?: string;
  readonly action?: AuditAction;
  readonly limit: number;
}

/**
 * A stored row's action and detail → a typed event, or undefined when the row is not one this version knows (an
 * action from a newer version, a detail that does not parse): the trail shows it as unreadable rather than failing.
 */
export function readAuditEvent(
  base: { actor: string; channelId: string | undefined },
  action: string,
  detail: unknown,
): AuditEvent | undefined {
  if (!Object.hasOwn(DETAILS, action)) return undefined;
  const parsed = DETAILS[action as AuditAction].safeParse(detail);
  if (!parsed.success) return undefined;
  return { ...base, action, detail: parsed.data } as AuditEvent;
}

/** One event in words: who did what, where. */
export function describeAuditEvent(e: AuditEvent): Line {
  const who = actor(e.actor);
  const where: Line = e.channelId === undefined ? [] : [' in ', channel(e.channelId)];
  switch (e.action) {
    case 'link.issued':
      return [
        who,
        ' created a link',
        ...where,
        ' for ',
        code(e.detail.key),
        `, expiring ${utcMinutes(new Date(e.detail.expiresAt))}`,
        ...linkId(e.detail.link),
      ];
    case 'link.refused':
      return [who, ' was refused a link', ...where, ` (${e.detail.filename ?? ''})`];
    case 'access.allow':
    case 'access.disallow': {
      const subjects = e.detail.subjects.map((s) => {
        const [type, id = ''] = s.split(':');
        return type === 'usergroup' ? usergroup(id) : user(id);
      });
      const scope: Line = e.detail.scope === 'everywhere' ? [' in every channel'] : where;
      return [who, e.action === 'access.allow' ? ' allowed ' : ' disallowed ', ...joined(subjects), ...scope];
    }
    case 'admin.add':
      return [who, ' made ', user(e.detail.user), ' an admin'];
    case 'admin.remove':
      return [who, ' removed ', user(e.detail.user), ' as admin'];
    case 'settings.update': {
      const d = e.detail;
      const value = (v: number | null, f: (x: number) => string) => (v === null ? 'default' : f(v));
      return [
        who,
        ' set',
        ...where,
        `: prefix=${d.prefix ?? 'default'}, default-expiry=${value(d.defaultExpirySeconds, formatDuration)}, max-expiry=${value(d.maxExpirySeconds, formatDuration)}, max-size=${value(d.maxSizeBytes, formatSize)}, types=${d.allowedTypes ?? 'default'}`,
      ];
    }
    case 'link.revoked':
      return [who, ' revoked the link for ', code(e.detail.key), ...where, ...linkId(e.detail.link)];
    case 'link.uploaded':
      return describeUpload(e.detail, where);
  }
}

/** The link's id, so `/upload-link revoke <id>` can be found from the audit. */
const linkId = (id: string | undefined): Line => (id === undefined ? [] : [' (link ', code(id), ')']);

const SOURCE_WORDS = { page: 'confirmed by the partner page', event: 'from an S3 event', poll: 'found by polling' };

/** `a partner uploaded report.pdf (3 B) through @alice's link in #acme: `key` (link `id`) (from an S3 event, …)`. */
function describeUpload(d: AuditDetail<'link.uploaded'>, where: Line): Line {
  const notes = [
    ...(d.source === undefined ? [] : [SOURCE_WORDS[d.source]]),
    ...(d.replaced ? ['replacing the earlier file'] : []),
    ...(d.afterRevoke ? ['arrived after revoke'] : []),
  ];
  return [
    `a partner uploaded ${d.filename} (${formatSize(d.size)}) through `,
    user(d.requester),
    "'s link",
    ...where,
    ': ',
    code(d.key),
    ...(d.etag === undefined ? [] : [', ETag ', code(d.etag)]),
    ...linkId(d.link),
    ...(notes.length === 0 ? [] : [` (${notes.join(', ')})`]),
  ];
}
