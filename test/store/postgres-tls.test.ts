/**
 * PostgreSQL over TLS the way Heroku Postgres serves it: encrypted, with a certificate no client can verify. The
 * test run's cluster has TLS on with a self-signed certificate (test/support/postgres-cluster.ts). PGSSLMODE,
 * validated by the config, decides how the store connects; DATABASE_URL stays as the add-on gives it.
 */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../src/config.js';
import { openDatabase } from '../../src/store/database.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';

describe.skipIf(!hasPostgres())('PGSSLMODE against PostgreSQL with TLS on', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshPostgresDatabase(postgresUrlOrThrow());
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Whether the store's connection (opened as the store opens it) is encrypted, as the server sees it. */
  async function storeUsesTls(pgsslmode: string | undefined): Promise<boolean> {
    const config = loadCliConfig({
      DATABASE_URL: db.url,
      ...(pgsslmode === undefined ? {} : { PGSSLMODE: pgsslmode }),
    });
    const opened = openDatabase(config.database);
    try {
      const { rows } = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(
        opened.db,
      );
      return rows[0]?.ssl === true;
    } finally {
      await opened.close();
    }
  }

  it('no-verify connects over TLS to a server whose certificate cannot be verified', async () => {
    expect(await storeUsesTls('no-verify')).toBe(true);
  });

  it('verify-full refuses that certificate, with the reason in the error', async () => {
    await expect(storeUsesTls('verify-full')).rejects.toThrow(/self[- ]signed certificate/i);
  });

  it('without PGSSLMODE the URL decides (plain here), as before', async () => {
    expect(await storeUsesTls(undefined)).toBe(false);
  });

  it('a bad PGSSLMODE is a configuration error that names the choices', () => {
    expect(() => loadCliConfig({ DATABASE_URL: db.url, PGSSLMODE: 'sometimes' })).toThrow(/PGSSLMODE must be one of/);
  });
});
