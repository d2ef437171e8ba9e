/** The audit trail: one row per event, its detail as JSON. */

import type { Kysely } from 'kysely';
import { type AuditAction, type AuditEvent, type AuditQuery, type AuditRecord, readAuditEvent } from '../core/audit.js';
import type { AuditRepository } from '../core/ports.js';
import { type Db, guard } from './guard.js';
import type { Database } from './schema.js';

/** Write one event, inside the caller's transaction when given one. */
export async function insertAudit(db: Db, event: AuditEvent, at: Date): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      at: at.toISOString(),
      actor: event.actor,
      action: event.action,
      channel_id: event.channelId ?? null,
      detail: JSON.stringify(event.detail),
    })
    .execute();
}

export function createAuditRepository(db: Kysely<Database>): AuditRepository {
  return {
    record: (event, at) => guard(() => insertAudit(db, event, at)),
    list: <A extends AuditAction>(query: AuditQuery & { readonly action?: A }) =>
      guard(async () => {
        let q = db.selectFrom('audit_events').selectAll();
        if (query.channelId !== undefined) q = q.where('channel_id', '=', query.channelId);
        if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
        if (query.action !== undefined) q = q.where('action', '=', query.action);
        const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
        const records: Extract<AuditRecord, { action: A }>[] = [];
        for (const r of rows) {
          // A row this version cannot read (written by a newer one) is left out rather than failing the listing.
          const event = readAuditEvent(
            { actor: r.actor, channelId: r.channel_id ?? undefined },
            r.action,
            JSON.parse(r.detail),
          );
          if (event !== undefined) {
            records.push({ ...event, id: Number(r.id), at: new Date(r.at) } as Extract<AuditRecord, { action: A }>);
          }
        }
        return records;
      }),
  };
}
