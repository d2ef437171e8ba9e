/**
 * Arrivals as claims: one row per distinct object at a link's key. The row is inserted (or not: it exists) inside a
 * transaction that holds the link's row, so across every instance on one database exactly one caller claims each
 * object, learns whether it replaced an earlier one, and records it in the link and the audit trail with it.
 * A claim stays `pending` until announced; its lease says until when its claimer is trusted to do that.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ArrivalSource } from '../core/model.js';
import type { ArrivalClaim, ArrivalRepository, ClaimOutcome, NewArrival } from '../core/ports.js';
import { insertAudit } from './audit.js';
import { type Db, guard } from './guard.js';
import { toLink } from './links.js';
import type { Dialect } from './migrations.js';
import type { ArrivalsTable, Database } from './schema.js';

type LinkRow = Selectable<Database['links']>;

/** The link's row, locked for the rest of the transaction on PostgreSQL (SQLite transactions are serial). */
function lockedLink(trx: Db, dialect: Dialect, id: string) {
  const query = trx.selectFrom('links').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

function toClaim(row: Selectable<ArrivalsTable>, link: LinkRow): ArrivalClaim {
  return {
    link: toLink(link),
    version: row.version,
    source: row.source as ArrivalSource,
    size: Number(row.size),
    contentType: row.content_type ?? undefined,
    replaced: Number(row.replaced) === 1,
    afterRevoke: Number(row.after_revoke) === 1,
    attempts: Number(row.attempts),
  };
}

async function claimIn(
  trx: Db,
  dialect: Dialect,
  input: { linkId: string; arrival: NewArrival; at: Date; leaseUntil: Date },
): Promise<ClaimOutcome> {
  const { linkId, arrival, at } = input;
  const row = await lockedLink(trx, dialect, linkId);
  if (row === undefined) return { kind: 'missing' };
  if (Number(row.single_use) === 1 && Number(row.uploads) > 0 && row.uploaded_etag !== arrival.version) {
    return { kind: 'written-once', link: toLink(row) };
  }
  // Last-Modified has whole seconds: an object of the revoke's own second counts as after it (the cautious reading).
  const revokedSecond =
    row.revoked_at === null ? undefined : Math.floor(new Date(row.revoked_at).getTime() / 1000) * 1000;
  const afterRevoke = revokedSecond !== undefined && arrival.landedAt.getTime() >= revokedSecond;
  const values = {
    link_id: linkId,
    version: arrival.version,
    source: arrival.source,
    size: arrival.size,
    content_type: arrival.contentType ?? null,
    replaced: Number(row.uploads) > 0 ? 1 : 0,
    after_revoke: afterRevoke ? 1 : 0,
    state: 'pending',
    attempts: 0,
    lease_until: input.leaseUntil.toISOString(),
    created_at: at.toISOString(),
    announced_at: null,
  };
  const inserted = await trx
    .insertInto('arrivals')
    .values(values)
    .onConflict((oc) => oc.columns(['link_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted === undefined) return { kind: 'duplicate', link: toLink(row) };
  const updated = {
    uploaded_at: at.toISOString(),
    uploaded_etag: arrival.version,
    uploaded_size: arrival.size,
    uploaded_type: arrival.contentType ?? null,
    uploads: Number(row.uploads) + 1,
  };
  await trx.updateTable('links').set(updated).where('id', '=', linkId).execute();
  const detail = {
    link: linkId,
    key: row.object_key,
    filename: row.filename,
    size: arrival.size,
    ...(arrival.contentType === undefined ? {} : { contentType: arrival.contentType }),
    requester: row.requester,
    source: arrival.source,
    ...(arrival.version.startsWith('seq:') ? {} : { etag: arrival.version }),
    ...(values.replaced === 1 ? { replaced: true } : {}),
    ...(afterRevoke ? { afterRevoke: true } : {}),
  };
  await insertAudit(trx, { actor: 'partner', action: 'link.uploaded', channelId: row.channel_id, detail }, at);
  return { kind: 'claimed', claim: toClaim(inserted, { ...row, ...updated }) };
}

export function createArrivalRepository(db: Kysely<Database>, dialect: Dialect): ArrivalRepository {
  return {
    linkForKey: (key) =>
      guard(async () => {
        const row = await db.selectFrom('links').selectAll().where('object_key', '=', key).executeTakeFirst();
        return row === undefined ? undefined : toLink(row);
      }),

    claim: (linkId, arrival, at, leaseUntil) =>
      guard(() => db.transaction().execute((trx) => claimIn(trx, dialect, { linkId, arrival, at, leaseUntil }))),

    markAnnounced: (linkId, version, at) =>
      guard(async () => {
        await db
          .updateTable('arrivals')
          .set({ state: 'announced', announced_at: at.toISOString() })
          .where('link_id', '=', linkId)
          .where('version', '=', version)
          .execute();
      }),

    postpone: (linkId, version, retryAt) =>
      guard(async () => {
        await db
          .updateTable('arrivals')
          .set(
            retryAt === undefined
              ? { state: 'abandoned' }
              : { lease_until: retryAt.toISOString(), attempts: (eb) => eb('attempts', '+', 1) },
          )
          .where('link_id', '=', linkId)
          .where('version', '=', version)
          .where('state', '=', 'pending')
          .execute();
      }),

    takeDue: (now, leaseUntil, limit) =>
      guard(async () => {
        const rows = await db
          .selectFrom('arrivals')
          .innerJoin('links', 'links.id', 'arrivals.link_id')
          .selectAll('arrivals')
          .where('arrivals.state', '=', 'pending')
          .where('arrivals.lease_until', '<=', now.toISOString())
          .orderBy('arrivals.lease_until')
          .limit(limit)
          .execute();
        const taken: ArrivalClaim[] = [];
        for (const row of rows) {
          // Compare-and-set on the lease: of two instances that read the same row, one update matches.
          const result = await db
            .updateTable('arrivals')
            .set({ lease_until: leaseUntil.toISOString() })
            .where('link_id', '=', row.link_id)
            .where('version', '=', row.version)
            .where('state', '=', 'pending')
            .where('lease_until', '=', row.lease_until)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) continue;
          const link = await db.selectFrom('links').selectAll().where('id', '=', row.link_id).executeTakeFirst();
          if (link !== undefined) taken.push(toClaim(row, link));
        }
        return taken;
      }),
  };
}
