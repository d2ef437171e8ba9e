/**
 * The poller's schedule: one row per raw link being watched, with when its next HeadObject is due. Taking a check
 * moves its due time with a compare-and-set, so instances sharing the database never make the same check twice.
 */
import type { Kysely } from 'kysely';
import type { PollRepository } from '../core/ports.js';
import { guard } from './guard.js';
import { toLink } from './links.js';
import type { Database } from './schema.js';

export function createPollRepository(db: Kysely<Database>): PollRepository {
  return {
    unscheduled: (since, limit) =>
      guard(async () => {
        const rows = await db
          .selectFrom('links')
          .selectAll()
          .where('url_expires_at', 'is not', null)
          .where('url_expires_at', '>', since.toISOString())
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(selectFrom('arrival_polls').select('link_id').whereRef('arrival_polls.link_id', '=', 'links.id')),
            ),
          )
          .orderBy('created_at')
          .limit(limit)
          .execute();
        return rows.map(toLink);
      }),

    schedule: (linkId, firstAt, intervalSeconds) =>
      guard(async () => {
        await db
          .insertInto('arrival_polls')
          .values({
            link_id: linkId,
            due_at: firstAt.toISOString(),
            interval_seconds: intervalSeconds,
            checks: 0,
            done: 0,
          })
          .onConflict((oc) => oc.column('link_id').doNothing())
          .execute();
      }),

    due: (now, limit) =>
      guard(async () => {
        const rows = await db
          .selectFrom('arrival_polls')
          .innerJoin('links', 'links.id', 'arrival_polls.link_id')
          .selectAll('links')
          .select(['arrival_polls.due_at', 'arrival_polls.interval_seconds', 'arrival_polls.checks'])
          .where('arrival_polls.done', '=', 0)
          .where('arrival_polls.due_at', '<=', now.toISOString())
          .orderBy('arrival_polls.due_at')
          .limit(limit)
          .execute();
        return rows.map(({ due_at, interval_seconds, checks, ...link }) => ({
          link: toLink(link),
          dueAt: new Date(due_at),
          intervalSeconds: Number(interval_seconds),
          checks: Number(checks),
        }));
      }),

    take: (target, next) =>
      guard(async () => {
        const result = await db
          .updateTable('arrival_polls')
          .set({
            checks: target.checks + 1,
            ...(next === undefined
              ? { done: 1 }
              : { due_at: next.at.toISOString(), interval_seconds: next.intervalSeconds }),
          })
          .where('link_id', '=', target.link.id)
          .where('done', '=', 0)
          .where('due_at', '=', target.dueAt.toISOString())
          .where('checks', '=', target.checks)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),
  };
}
