/**
 * The store: one database (SQLite by default, PostgreSQL for several instances), one repository per kind of thing.
 * Every change writes its audit event in the same transaction. Nothing here is cached: several instances on one
 * PostgreSQL see each other's changes on their next request. What every command runs is prepared once, on the
 * driver (src/store/prepared.ts); the rest goes through Kysely.
 */
import type { Logger } from '@slack/bolt';
import type { Kysely } from 'kysely';
import type { RateLimiter, RateRule, SeenRequestRepository, Store } from '../core/ports.js';
import { errorMessage } from '../lib/errors.js';
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
import { createRateLimiter } from './rate-limits.js';
import { createSeenRequestRepository } from './seen-requests.js';
import { createUploadRepository } from './uploads.js';

export {
  type DatabaseTarget,
  DEFAULT_SQLITE_PATH,
  describeTarget,
  type PostgresTls,
  parseDatabaseUrl,
} from './database.js';

/** The store as the process holds it: the repositories, plus schema migration and closing. */
export interface OpenStore extends Store {
  readonly seenRequests: SeenRequestRepository;
  /** A rate limiter whose counters live in this database, shared by every instance. */
  rateLimiter(rule: RateRule, onStoreError?: (error: unknown) => void): RateLimiter;
  /** Bring the schema up to date. Call before serving. */
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

export function openStore(target: DatabaseTarget, logger?: Logger): OpenStore {
  const { db, dialect, limiterStore, statements, close } = openDatabase(target, logger);
  return {
    context: (userId, channelId) => guard(() => statements.context(userId, channelId)),
    admins: createAdminRepository(db),
    entries: createEntryRepository(db),
    settings: createChannelSettingsRepository(db),
    audit: createAuditRepository(db),
    links: createLinkRepository(db, statements.createLink),
    uploads: createUploadRepository(db),
    arrivals: createArrivalRepository(db, dialect),
    polls: createPollRepository(db),
    seenRequests: createSeenRequestRepository(db, statements.claimRequest, {
      onPruneError: (error) => logger?.warn(`Could not prune seen Slack requests: ${errorMessage(error)}`),
    }),
    rateLimiter: (rule, onStoreError) => createRateLimiter(limiterStore, rule, onStoreError),
    migrate: () => guard(() => migrateToLatest(db as unknown as Kysely<unknown>, dialect)),
    close,
  };
}
