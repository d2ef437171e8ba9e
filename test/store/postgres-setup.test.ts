import { networkInterfaces } from 'node:os';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {}); // A connection terminated by DROP DATABASE ... WITH (FORCE) is expected here.
  await client.connect();
  return client;
}

describe.skipIf(!hasPostgres())("the test run's PostgreSQL", () => {
  let db: FreshDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await freshPostgresDatabase(postgresUrlOrThrow());
    client = await connect(db.url);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('answers queries in a fresh database of its own', async () => {
    const result = await client.query<{ one: number; db: string }>('select 1 as one, current_database() as db');
    expect(result.rows).toEqual([{ one: 1, db: db.name }]);
    expect(db.name).toMatch(/^test_[0-9a-f]{16}$/);
  });

  it('is PostgreSQL 15 or later', async () => {
    const result = await client.query<{ server_version_num: string }>('show server_version_num');
    expect(Number(result.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150_000);
  });

  // A server from TEST_DATABASE_URL is whatever it is; the throwaway cluster must be reachable from this host only.
  it.skipIf(process.env.TEST_DATABASE_URL)('listens on 127.0.0.1 only', async () => {
    const result = await client.query<{ listen_addresses: string }>('show listen_addresses');
    expect(result.rows[0]?.listen_addresses).toBe('127.0.0.1');
    const port = new URL(db.url).port;
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4');
    for (const other of others) {
      const url = new URL(db.url);
      url.hostname = other?.address ?? '';
      url.port = port;
      await expect(connect(url.toString())).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('gives every caller a separate database, and drops it', async () => {
    const other = await freshPostgresDatabase(postgresUrlOrThrow());
    expect(other.name).not.toBe(db.name);
    await client.query('create table marker (id int)');
    const otherClient = await connect(other.url);
    try {
      const tables = await otherClient.query("select 1 from information_schema.tables where table_name = 'marker'");
      expect(tables.rowCount).toBe(0);
    } finally {
      // Left open on purpose: drop() must close it (WITH (FORCE)).
      await other.drop();
      await otherClient.end().catch(() => {});
    }
    const left = await client.query('select 1 from pg_database where datname = $1', [other.name]);
    expect(left.rowCount).toBe(0);
  });
});
