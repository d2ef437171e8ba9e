/**
 * The hot path's statements run on better-sqlite3 directly (src/store/prepared.ts). A statement run while a Kysely
 * transaction is open on the same connection would join it, and vanish with its rollback: they must wait for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { newLink, LINK_T0 as T0 } from '../support/link.js';

const link = newLink('LINKDDDDDDDDDDDDDDDDDD');

describe('prepared statements on SQLite', () => {
  let dir: string;
  let opened: OpenDatabase;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upload-link-prepared-'));
    opened = openDatabase({ dialect: 'sqlite', path: join(dir, 'store.db') });
    await migrateToLatest(opened.db as never, 'sqlite');
  });
  afterEach(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('wait for a transaction that is open on the connection instead of joining it (and its rollback)', async () => {
    let inside: () => void = () => {};
    let finish: () => void = () => {};
    const entered = new Promise<void>((done) => (inside = done));
    const released = new Promise<void>((done) => (finish = done));
    const rolledBack = opened.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('admins')
          .values({ user_id: 'U0GONE', added_by: 'cli', added_at: T0.toISOString() })
          .execute();
        inside();
        await released;
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    await entered;
    const writes = Promise.all([
      opened.statements.createLink(link, T0),
      opened.statements.claimRequest('digest-1', 1_700_000_000),
      opened.statements.context('U0GONE', 'C0ACME'),
    ]);
    finish();
    expect(await rolledBack).toBe('roll back');
    const [, claimed, context] = await writes;
    expect(claimed).toBe(true);
    // Read after the rollback: the admin the transaction added is gone, and was never seen.
    expect(context.storedAdmin).toBe(false);
    const links = await opened.db.selectFrom('links').select('id').execute();
    expect(links).toEqual([{ id: link.id }]);
    const audit = await opened.db.selectFrom('audit_events').select('action').execute();
    expect(audit).toEqual([{ action: 'link.issued' }]);
    expect(await opened.statements.claimRequest('digest-1', 1_700_000_000)).toBe(false);
  });
});
