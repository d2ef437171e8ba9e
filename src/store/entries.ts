/** Allowlist entries: a person or user group, in one channel or everywhere. */
import type { Kysely, Transaction } from 'kysely';
import { type AccessEntry, EVERYWHERE, type Subject, subjectKey } from '../core/model.js';
import type { EntryRepository } from '../core/ports.js';
import { insertAudit } from './audit.js';
import { guard } from './guard.js';
import type { Database } from './schema.js';

function uniqueSubjects(subjects: readonly Subject[]): Subject[] {
  const seen = new Map<string, Subject>();
  for (const s of subjects) seen.set(subjectKey(s), { type: s.type, id: s.id });
  return [...seen.values()];
}

async function existingSubjects(trx: Transaction<Database>, subjects: readonly Subject[], scope: string) {
  if (subjects.length === 0) return new Set<string>();
  const rows = await trx
    .selectFrom('access_entries')
    .select(['subject_type', 'subject_id'])
    .where('scope', '=', scope)
    .where(
      'subject_id',
      'in',
      subjects.map((s) => s.id),
    )
    .execute();
  return new Set(rows.map((r) => subjectKey({ type: r.subject_type, id: r.subject_id })));
}

export function toEntry(row: Database['access_entries']): AccessEntry {
  return {
    type: row.subject_type,
    id: row.subject_id,
    scope: row.scope,
    addedBy: row.added_by,
    addedAt: new Date(row.added_at),
  };
}

/** The audit event of an allow or disallow: which subjects changed, where. */
function auditAccessChange(
  trx: Transaction<Database>,
  action: 'access.allow' | 'access.disallow',
  actor: string,
  scope: string,
  changed: readonly Subject[],
  at: Date,
) {
  const channelId = scope === EVERYWHERE ? undefined : scope;
  const detail = { scope: scope === EVERYWHERE ? 'everywhere' : scope, subjects: changed.map(subjectKey) };
  return insertAudit(trx, { actor, action, channelId, detail }, at);
}

export function createEntryRepository(db: Kysely<Database>): EntryRepository {
  return {
    forChannel: (channelId) =>
      guard(async () => {
        const rows = await db
          .selectFrom('access_entries')
          .selectAll()
          .where('scope', 'in', [channelId, EVERYWHERE])
          .execute();
        return rows.map(toEntry);
      }),

    list: () =>
      guard(async () => {
        const rows = await db
          .selectFrom('access_entries')
          .selectAll()
          .orderBy('scope')
          .orderBy('added_at')
          .orderBy('subject_id')
          .execute();
        return rows.map(toEntry);
      }),

    allow: (subjects, scope, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const wanted = uniqueSubjects(subjects);
          const existing = await existingSubjects(trx, wanted, scope);
          const changed = wanted.filter((s) => !existing.has(subjectKey(s)));
          if (changed.length > 0) {
            await trx
              .insertInto('access_entries')
              .values(
                changed.map((s) => ({
                  subject_type: s.type,
                  subject_id: s.id,
                  scope,
                  added_by: actor,
                  added_at: at.toISOString(),
                })),
              )
              .execute();
            await auditAccessChange(trx, 'access.allow', actor, scope, changed, at);
          }
          return { changed, unchanged: wanted.filter((s) => existing.has(subjectKey(s))) };
        }),
      ),

    disallow: (subjects, scope, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const wanted = uniqueSubjects(subjects);
          const existing = await existingSubjects(trx, wanted, scope);
          const changed = wanted.filter((s) => existing.has(subjectKey(s)));
          for (const s of changed) {
            await trx
              .deleteFrom('access_entries')
              .where('subject_type', '=', s.type)
              .where('subject_id', '=', s.id)
              .where('scope', '=', scope)
              .execute();
          }
          if (changed.length > 0) {
            await auditAccessChange(trx, 'access.disallow', actor, scope, changed, at);
          }
          return { changed, unchanged: wanted.filter((s) => !existing.has(subjectKey(s))) };
        }),
      ),
  };
}
