/** Admins added from Slack or the CLI. */
import type { Kysely } from 'kysely';
import type { AdminRepository } from '../core/ports.js';
import { insertAudit } from './audit.js';
import { guard } from './guard.js';
import type { Database } from './schema.js';

export function createAdminRepository(db: Kysely<Database>): AdminRepository {
  return {
    list: () =>
      guard(async () => {
        const rows = await db.selectFrom('admins').selectAll().orderBy('added_at').orderBy('user_id').execute();
        return rows.map((r) => ({ userId: r.user_id, addedBy: r.added_by, addedAt: new Date(r.added_at) }));
      }),

    has: (userId) =>
      guard(async () => {
        const row = await db.selectFrom('admins').select('user_id').where('user_id', '=', userId).executeTakeFirst();
        return row !== undefined;
      }),

    add: (userId, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const existing = await trx
            .selectFrom('admins')
            .select('user_id')
            .where('user_id', '=', userId)
            .executeTakeFirst();
          if (existing) return false;
          await trx
            .insertInto('admins')
            .values({ user_id: userId, added_by: actor, added_at: at.toISOString() })
            .execute();
          await insertAudit(trx, { actor, action: 'admin.add', channelId: undefined, detail: { user: userId } }, at);
          return true;
        }),
      ),

    remove: (userId, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const result = await trx.deleteFrom('admins').where('user_id', '=', userId).executeTakeFirst();
          if (Number(result.numDeletedRows) === 0) return false;
          await insertAudit(trx, { actor, action: 'admin.remove', channelId: undefined, detail: { user: userId } }, at);
          return true;
        }),
      ),
  };
}
