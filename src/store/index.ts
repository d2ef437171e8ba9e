/**
 * The store: one database (SQLite by default, PostgreSQL for several instances), one repository per kind of thing.
 * Every change writes its audit event in the same transaction. Nothing here is cached: several instances on one
 * PostgreSQL see each other's changes on their next request.
 */
import type { Logger } from '@slack/bolt';
import type { Kysely } from 'kysely';
import type { Store } from '../core/ports.js';
import { createAdminRepository } from './admins.js';
import { createArrivalRepository } from './arrivals.js';
import { createAuditRepository } from './audit.js';
import { createChannelSettingsRepository } from './channel-settings.js';
import { type DatabaseTarget, openDatabase } from './database.js';
import { createEntryRepository } from './entries.js';
import { guard } from './guard.js';
import { createLinkRepository } from './links.js';
import { type MigrationReport, migrateToLatest } from './migrations.js';
import { createPollRepository } from './polls.js';

export { type DatabaseTarget, DEFAULT_SQLITE_PATH, describeTarget, parseDatabaseUrl } from './database.js';

/** The store as the process holds it: the repositories, plus schema migration and closing. */
export interface OpenStore extends Store {
  /** Bring the schema up to date. Call before serving. */
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

export function openStore(target: DatabaseTarget, logger?: Logger): OpenStore {
  const { db, dialect, close } = openDatabase(target, logger);
  return {
    admins: createAdminRepository(db),
    entries: createEntryRepository(db),
    settings: createChannelSettingsRepository(db),
    audit: createAuditRepository(db),
    links: createLinkRepository(db),
    arrivals: createArrivalRepository(db, dialect),
    polls: createPollRepository(db),
    migrate: () => guard(() => migrateToLatest(db as unknown as Kysely<unknown>, dialect)),
    close,
  };
}
