/**
 * SQLite on a full disk, mid-transaction: SQLite rolls the transaction back itself, and Kysely's own ROLLBACK then
 * failed with "cannot rollback - no transaction is active", an error that replaced the real one. The cause must show.
 * The disk is a 1 MiB tmpfs mounted for the test (room for the schema's migrations) (needs root, as CI runs; skipped with a message otherwise).
 * (`max_page_count` is no stand-in: SQLite then keeps the transaction open, so the bug does not show.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createEntryRepository } from '../../src/store/entries.js';
import { migrateToLatest } from '../../src/store/migrations.js';

const canMount = process.getuid?.() === 0;
if (!canMount) process.stderr.write('Skipping the full-disk test: mounting a small tmpfs needs root.\n');

describe.skipIf(!canMount)('SQLite on a full disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upload-link-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  });
  afterAll(async () => {
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports "database or disk is full", not the failed rollback that follows it, and keeps answering', async () => {
    const opened = openDatabase({ dialect: 'sqlite', path: join(dir, 'full.db') });
    try {
      await migrateToLatest(opened.db as never, 'sqlite');
      const entries = createEntryRepository(opened.db);
      let failure: Error | undefined;
      for (let round = 0; round < 100 && failure === undefined; round++) {
        const many = Array.from({ length: 2000 }, (_, i) => ({ type: 'user' as const, id: `U0R${round}X${i}` }));
        failure = await entries.allow(many, `C0R${round}`, 'U0ADMIN', new Date()).then(
          () => undefined,
          (error: unknown) => error as Error,
        );
      }
      expect(failure?.name).toBe('StoreUnavailableError');
      expect(failure?.message).toContain('database or disk is full');
      expect(failure?.message).not.toContain('cannot rollback');
      // The database still answers reads.
      expect(Array.isArray(await entries.forChannel('C0R0'))).toBe(true);
    } finally {
      await opened.close();
    }
  });
});
