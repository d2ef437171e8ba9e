/**
 * Schema migrations, in code so they ship inside the build. Run at start and by `npm run migrate`.
 * Append new migrations; never edit one that has shipped.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Every migration, by name (exported for the tests that start from an older schema). */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_access': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('admins')
          .addColumn('user_id', 'text', (c) => c.primaryKey())
          .addColumn('added_by', 'text', (c) => c.notNull())
          .addColumn('added_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('access_entries')
          .addColumn('subject_type', 'text', (c) => c.notNull().check(sqlIn(['user', 'usergroup'])))
          .addColumn('subject_id', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('added_by', 'text', (c) => c.notNull())
          .addColumn('added_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('access_entries_pk', ['subject_type', 'subject_id', 'scope'])
          .execute();
        await db.schema.createIndex('access_entries_scope').on('access_entries').column('scope').execute();
        await db.schema
          .createTable('channel_settings')
          .addColumn('channel_id', 'text', (c) => c.primaryKey())
          .addColumn('key_prefix', 'text')
          .addColumn('default_expiry_seconds', 'integer')
          .addColumn('max_expiry_seconds', 'integer')
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('audit_events')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('channel_id', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_events_channel').on('audit_events').columns(['channel_id', 'id']).execute();
        await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor', 'id']).execute();
      },
    },
    '0002_partner_links': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('channel_settings').addColumn('max_size_bytes', 'bigint').execute();
        await db.schema.alterTable('channel_settings').addColumn('allowed_types', 'text').execute();
        await db.schema
          .createTable('links')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) => c.notNull())
          .addColumn('channel_name', 'text', (c) => c.notNull())
          .addColumn('team_name', 'text', (c) => c.notNull())
          .addColumn('requester', 'text', (c) => c.notNull())
          .addColumn('filename', 'text', (c) => c.notNull())
          .addColumn('object_key', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('single_use', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('max_size_bytes', 'bigint')
          .addColumn('allowed_types', 'text')
          .addColumn('revoked_at', 'text')
          .addColumn('revoked_by', 'text')
          .addColumn('uploaded_at', 'text')
          .addColumn('uploaded_etag', 'text')
          .addColumn('uploaded_size', 'bigint')
          .addColumn('uploaded_type', 'text')
          .addColumn('uploads', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('links_requester').on('links').columns(['requester', 'created_at']).execute();
      },
    },
    '0003_every_link': {
      // Every issued link is a row (not only those with a partner page), findable by its key: arrivals of raw-URL
      // uploads are matched to it, and `/upload-link links` lists it.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('links')
          .addColumn('page', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema.alterTable('links').addColumn('url_expires_at', 'text').execute();
        await db.schema.createIndex('links_object_key').on('links').column('object_key').unique().execute();
        await db.schema.createIndex('links_channel').on('links').columns(['channel_id', 'created_at']).execute();
      },
    },
    '0004_multipart': {
      // The partner page's multipart uploads, each tied to its link: the routes only touch an upload through it, and
      // the sweep aborts those of links that closed.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('multipart_uploads')
          .addColumn('upload_id', 'text', (c) => c.primaryKey())
          .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
          .addColumn('object_key', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('part_size', 'bigint', (c) => c.notNull())
          .addColumn('part_count', 'integer', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('closed_at', 'text')
          .execute();
        await db.schema.createIndex('multipart_uploads_link').on('multipart_uploads').columns(['link_id']).execute();
        await db.schema.createIndex('multipart_uploads_state').on('multipart_uploads').columns(['state']).execute();
      },
    },
    '0005_arrivals': {
      // Arrivals as claims, one row per distinct object at a link's key, so every source (page, S3 event, poll) and
      // every instance announce each object once; and the poller's schedule for raw links.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('arrivals')
          .addColumn('link_id', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('content_type', 'text')
          .addColumn('replaced', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('after_revoke', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_until', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('announced_at', 'text')
          .addPrimaryKeyConstraint('arrivals_pk', ['link_id', 'version'])
          .execute();
        await db.schema.createIndex('arrivals_pending').on('arrivals').columns(['state', 'lease_until']).execute();
        // Page arrivals recorded before this migration were announced already: their S3 events are duplicates.
        await sql`insert into arrivals (link_id, version, source, size, content_type, replaced, after_revoke, state,
            attempts, lease_until, created_at, announced_at)
          select id, lower(replace(uploaded_etag, '"', '')), 'page', coalesce(uploaded_size, 0), uploaded_type, 0, 0,
            'announced', 1, coalesce(uploaded_at, created_at), coalesce(uploaded_at, created_at), uploaded_at
          from links where uploaded_etag is not null and uploaded_etag <> ''`.execute(db);
        await db.schema
          .createTable('arrival_polls')
          .addColumn('link_id', 'text', (c) => c.primaryKey())
          .addColumn('due_at', 'text', (c) => c.notNull())
          .addColumn('interval_seconds', 'integer', (c) => c.notNull())
          .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('arrival_polls_due').on('arrival_polls').columns(['done', 'due_at']).execute();
        await db.schema.createIndex('links_url_expires').on('links').column('url_expires_at').execute();
      },
    },
    '0006_requests': {
      // Slack requests already acted on (replay protection, shared by every instance), and the request counters
      // of rate-limiter-flexible. The counters' columns are the library's own, in its order: its PostgreSQL upsert
      // is `INSERT INTO t VALUES ($1, $2, $3)` with no column list (RateLimiterPostgres.js:307).
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('seen_slack_requests')
          .addColumn('digest', 'text', (c) => c.primaryKey())
          .addColumn('request_ts', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('seen_slack_requests_ts').on('seen_slack_requests').column('request_ts').execute();
        await db.schema
          .createTable('rate_limits')
          .addColumn('key', dialect === 'postgres' ? 'varchar(255)' : 'text', (c) => c.primaryKey())
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expire', dialect === 'postgres' ? 'bigint' : 'integer')
          .execute();
        await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
      },
    },
  };
}

/** `subject_type in ('user', 'usergroup')` from constants (never user input). */
function sqlIn(values: readonly string[]) {
  return sql.raw(`subject_type in (${values.map((v) => `'${v}'`).join(', ')})`);
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations() {
    return migrations(this.dialect);
  }
}

export interface MigrationReport {
  readonly applied: readonly string[];
}

/** Bring the schema to the latest version; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<MigrationReport> {
  // Unordered: 0004_multipart and 0005_arrivals landed after 0006_requests, and each only adds its own tables and
  // columns, so a database that already ran 0006 takes them as they come (Kysely refuses that otherwise).
  const migrator = new Migrator({ db, provider: new InCodeProvider(dialect), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
