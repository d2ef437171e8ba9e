/**
 * PostgreSQL for tests: the run's server (started by test/global-setup.ts) and one fresh database per test or file.
 *
 *   describe.skipIf(!hasPostgres())('postgres store', () => {
 *     let db: FreshDatabase;
 *     beforeEach(async () => { db = await freshPostgresDatabase(postgresUrlOrThrow()); });
 *     afterEach(() => db.drop());
 *   });
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';

/** The run's Postgres server URL (database `postgres`, superuser), or undefined when the suite is to be skipped. */
export function postgresUrl(): string | undefined {
  return inject('postgresUrl');
}

export const hasPostgres = (): boolean => postgresUrl() !== undefined;

export function postgresUrlOrThrow(): string {
  const url = postgresUrl();
  if (url === undefined)
    throw new Error('No PostgreSQL for this run: guard the suite with describe.skipIf(!hasPostgres())');
  return url;
}

export interface FreshDatabase {
  /** Same server and credentials as the base URL, database replaced by the fresh one. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing any connections still open to it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Creates `test_<random hex>` on the server of `baseUrl` (whose role needs CREATEDB). */
export async function freshPostgresDatabase(baseUrl: string): Promise<FreshDatabase> {
  const name = `test_${randomBytes(8).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
