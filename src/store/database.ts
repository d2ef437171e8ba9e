/**
 * Opening the store's database from DATABASE_URL: an SQLite file by default, PostgreSQL for several instances.
 * One query layer (Kysely) for both.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Logger } from '@slack/bolt';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Dialect } from './migrations.js';
import { type PreparedStatements, postgresStatements, sqliteStatements } from './prepared.js';
import type { Database } from './schema.js';

export const DEFAULT_SQLITE_PATH = './data/upload-link.db';

/** TLS to PostgreSQL: as the URL (or pg's defaults) say, required and verified, required without verifying, or off. */
export type PostgresTls = 'default' | 'verify' | 'no-verify' | 'disable';

export type DatabaseTarget =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string; tls?: PostgresTls };

/** What rate-limiter-flexible needs of the same database: the SQLite handle, or the pg pool. */
export type LimiterStore =
  | { readonly dialect: 'sqlite'; readonly database: SQLite.Database }
  | { readonly dialect: 'postgres'; readonly pool: import('pg').Pool };

/**
 * `undefined` → the default SQLite file; `sqlite:<path>` (also `sqlite://<path>`, `sqlite:///abs/path`,
 * `sqlite::memory:`) → that file; `postgres://…` or `postgresql://…` → PostgreSQL. Anything else: undefined.
 */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget | undefined {
  if (url === undefined) return { dialect: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  const sqlite = /^sqlite:(?:\/\/)?(.*)$/i.exec(url);
  if (sqlite) {
    const path = sqlite[1] ?? '';
    return path === '' ? undefined : { dialect: 'sqlite', path };
  }
  return undefined;
}

/** What a target is, for logs: never a password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return `SQLite ${target.path}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly limiterStore: LimiterStore;
  /** The hot path's statements, on the driver itself (src/store/prepared.ts). */
  readonly statements: PreparedStatements;
  close(): Promise<void>;
}

export function openDatabase(target: DatabaseTarget, logger?: Logger): OpenDatabase {
  if (target.dialect === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    const database = new SQLite(target.path);
    database.pragma('journal_mode = WAL');
    // Short: a user waits on this within Slack's 3-second window.
    database.pragma('busy_timeout = 1000');
    database.pragma('foreign_keys = ON');
    cachePreparedStatements(database);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return {
      db,
      dialect: 'sqlite',
      limiterStore: { dialect: 'sqlite', database },
      statements: sqliteStatements(database, db),
      close: () => db.destroy(),
    };
  }
  // Loaded only for PostgreSQL: an SQLite deployment never pays for it at start.
  const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
  const pool = new pg.Pool({
    connectionString: target.url,
    ...tlsOption(target.tls),
    max: 10,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
  });
  // A client losing its server emits 'error': the pool forwards it for idle clients, but a client that is checked
  // out (or between check-out and release) emits it on itself. Unhandled, either ends the process, so listen on
  // both; the query in flight fails on its own and the pool replaces the client.
  const lost = (error: Error) => logger?.warn(`PostgreSQL connection lost: ${error.message}`);
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    limiterStore: { dialect: 'postgres', pool },
    statements: postgresStatements(pool),
    close: () => db.destroy(),
  };
}

/**
 * PGSSLMODE as node-postgres takes it. Heroku Postgres requires TLS with certificates node-postgres does not verify:
 * `no-verify` encrypts without checking them, so the add-on's own DATABASE_URL (which Heroku rotates) stays as is.
 * An `sslmode` in the URL itself still wins (pg reads it after these options).
 */
function tlsOption(tls: PostgresTls | undefined): { ssl?: boolean | { rejectUnauthorized: boolean } } {
  switch (tls) {
    case undefined:
    case 'default':
      return {};
    case 'verify':
      return { ssl: { rejectUnauthorized: true } };
    case 'no-verify':
      return { ssl: { rejectUnauthorized: false } };
    case 'disable':
      return { ssl: false };
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; the bot runs the same handful on every command, so keep the
 * prepared statements (bounded: queries with `in (?, ?, …)` lists differ by length).
 */
function cachePreparedStatements(database: SQLite.Database, limit = 500): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, SQLite.Statement>();
  // SQLite rolls a transaction back by itself when a statement fails with SQLITE_FULL, SQLITE_IOERR and the like;
  // Kysely's ROLLBACK then fails with "cannot rollback - no transaction is active", and that error replaces the
  // real one ("database or disk is full"). A ROLLBACK with nothing to roll back is a no-op here, so the cause shows.
  const noRollback = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) };
  database.prepare = ((source: string) => {
    if (/^\s*rollback\s*$/i.test(source) && !database.inTransaction) return noRollback;
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      if (cache.size >= limit) cache.clear();
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
}
