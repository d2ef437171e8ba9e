/** Partner links: short, revocable pages, each for one key. */
import type { Kysely } from 'kysely';
import type { NewPartnerLink, PartnerLink } from '../core/model.js';
import type { LinkRepository } from '../core/ports.js';
import { insertAudit } from './audit.js';
import { guard, numberOrUndefined, typesOrUndefined } from './guard.js';
import type { Database } from './schema.js';

/** A row as the core sees it (also read by store/arrivals.ts and store/polls.ts). */
export function toLink(row: Database['links']): PartnerLink {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    teamName: row.team_name,
    requester: row.requester,
    filename: row.filename,
    key: row.object_key,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    singleUse: Number(row.single_use) === 1,
    page: Number(row.page) === 1,
    urlExpiresAt: row.url_expires_at === null ? undefined : new Date(row.url_expires_at),
    maxSizeBytes: numberOrUndefined(row.max_size_bytes),
    allowedTypes: typesOrUndefined(row.allowed_types),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
    revokedBy: row.revoked_by ?? undefined,
    uploadedAt: row.uploaded_at === null ? undefined : new Date(row.uploaded_at),
    uploadedSize: numberOrUndefined(row.uploaded_size),
    uploadedType: row.uploaded_type ?? undefined,
    uploads: Number(row.uploads),
  };
}

/** `createLink`: the row and its `link.issued` audit event in one transaction (src/store/prepared.ts). */
export function createLinkRepository(
  db: Kysely<Database>,
  createLink: (link: NewPartnerLink, at: Date) => Promise<void>,
): LinkRepository {
  return {
    create: (link, at) => guard(() => createLink(link, at)),
    list: (query) =>
      guard(async () => {
        let q = db.selectFrom('links').selectAll();
        if (query.channelId !== undefined) q = q.where('channel_id', '=', query.channelId);
        if (query.requester !== undefined) q = q.where('requester', '=', query.requester);
        const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(query.limit).execute();
        return rows.map(toLink);
      }),

    count: (query) =>
      guard(async () => {
        let q = db.selectFrom('links').select((eb) => eb.fn.countAll<number | string>().as('n'));
        if (query.channelId !== undefined) q = q.where('channel_id', '=', query.channelId);
        if (query.requester !== undefined) q = q.where('requester', '=', query.requester);
        return Number((await q.executeTakeFirst())?.n ?? 0);
      }),

    get: (id) =>
      guard(async () => {
        const row = await db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? undefined : toLink(row);
      }),

    revoke: (id, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
          if (row === undefined) return 'missing' as const;
          if (row.revoked_at !== null) return 'already-closed' as const;
          await trx
            .updateTable('links')
            .set({ revoked_at: at.toISOString(), revoked_by: actor })
            .where('id', '=', id)
            .execute();
          const detail = { link: id, key: row.object_key, filename: row.filename };
          await insertAudit(trx, { actor, action: 'link.revoked', channelId: row.channel_id, detail }, at);
          return 'revoked' as const;
        }),
      ),
  };
}
