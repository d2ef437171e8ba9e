/**
 * The statements every slash command runs, prepared once and run on the driver itself (better-sqlite3's
 * statements; pg's named statements, parsed once per connection), not built and compiled by Kysely on every call:
 *
 * - the replay guard's claim of the request (src/store/seen-requests.ts);
 * - the command's context, in one query: the channel's settings, whether the user is a stored admin, and the
 *   allowlist entries for the channel and everywhere (UNION ALL of the three tables);
 * - a link and its `link.issued` audit event, in one transaction, before the reply.
 *
 * Everything else goes through Kysely. The SQL here is checked by the store contract tests on both databases.
 */
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { NewPartnerLink } from '../core/model.js';
import type { CommandContext } from '../core/ports.js';
import { toSettings } from './channel-settings.js';
import { toEntry } from './entries.js';
import type { Database } from './schema.js';

export interface PreparedStatements {
  /** True the first time a digest is claimed. */
  claimRequest(digest: string, timestampSeconds: number): Promise<boolean>;
  context(userId: string, channelId: string): Promise<CommandContext>;
  /** The link's row and its audit event, together. */
  createLink(link: NewPartnerLink, at: Date): Promise<void>;
}

/** One row of the context query: which table it came from, and its columns in generic slots. */
interface ContextRow {
  readonly kind: 'settings' | 'admin' | 'entry';
  readonly t1: string | null;
  readonly t2: string | null;
  readonly t3: string | null;
  readonly t4: string | null;
  readonly t5: string | null;
  readonly n1: number | null;
  readonly n2: number | null;
  readonly n3: number | string | null;
}

/** `param('channel')` is how each dialect names a parameter; the same name may appear twice. */
const contextSql = (param: (name: 'channel' | 'user') => string) => `
  SELECT 'settings' AS kind, key_prefix AS t1, allowed_types AS t2, updated_by AS t3, updated_at AS t4,
         CAST(NULL AS TEXT) AS t5, default_expiry_seconds AS n1, max_expiry_seconds AS n2, max_size_bytes AS n3
    FROM channel_settings WHERE channel_id = ${param('channel')}
  UNION ALL
  SELECT 'admin', user_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM admins WHERE user_id = ${param('user')}
  UNION ALL
  SELECT 'entry', subject_type, subject_id, scope, added_by, added_at, NULL, NULL, NULL
    FROM access_entries WHERE scope IN (${param('channel')}, '*')`;

function readContext(channelId: string, rows: readonly ContextRow[]): CommandContext {
  const context: { -readonly [K in keyof CommandContext]: CommandContext[K] } = {
    settings: undefined,
    storedAdmin: false,
    entries: [],
  };
  for (const row of rows) {
    if (row.kind === 'admin') {
      context.storedAdmin = true;
    } else if (row.kind === 'settings') {
      context.settings = toSettings({
        channel_id: channelId,
        key_prefix: row.t1,
        allowed_types: row.t2,
        updated_by: row.t3 ?? '',
        updated_at: row.t4 ?? '',
        default_expiry_seconds: row.n1,
        max_expiry_seconds: row.n2,
        max_size_bytes: row.n3,
      });
    } else {
      context.entries.push(
        toEntry({
          subject_type: row.t1 as Database['access_entries']['subject_type'],
          subject_id: row.t2 ?? '',
          scope: row.t3 ?? '',
          added_by: row.t4 ?? '',
          added_at: row.t5 ?? '',
        }),
      );
    }
  }
  return context;
}

/** The audit detail of an issued link. */
function issuedDetail(link: NewPartnerLink): Record<string, unknown> {
  return {
    filename: link.filename,
    key: link.key,
    expiresAt: link.expiresAt.toISOString(),
    grant: link.grant,
    link: link.id,
    ...(link.singleUse ? { singleUse: true } : {}),
  };
}

/** The links row's columns in insert order, and their values for a new link. */
const LINK_COLUMNS = [
  'id',
  'channel_id',
  'channel_name',
  'team_name',
  'requester',
  'filename',
  'object_key',
  'created_at',
  'expires_at',
  'single_use',
  'page',
  'url_expires_at',
  'max_size_bytes',
  'allowed_types',
  'uploads',
] as const;

const linkValues = (link: NewPartnerLink): unknown[] => [
  link.id,
  link.channelId,
  link.channelName,
  link.teamName,
  link.requester,
  link.filename,
  link.key,
  link.createdAt.toISOString(),
  link.expiresAt.toISOString(),
  link.singleUse ? 1 : 0,
  link.page ? 1 : 0,
  link.urlExpiresAt?.toISOString() ?? null,
  link.maxSizeBytes ?? null,
  link.allowedTypes?.join(',') ?? null,
  0,
];

const auditValues = (link: NewPartnerLink, at: Date): unknown[] => [
  at.toISOString(),
  link.requester,
  'link.issued',
  link.channelId,
  JSON.stringify(issuedDetail(link)),
];

// --- SQLite ---------------------------------------------------------------------------------------------------------

/**
 * better-sqlite3 runs a statement synchronously, so nothing else can run on the connection meanwhile, except inside
 * a transaction Kysely has open while it awaits (its driver holds the connection from BEGIN to COMMIT): a statement
 * run then would join that transaction. So when one is open, these wait for the connection through Kysely first.
 */
export function sqliteStatements(database: SQLite.Database, db: Kysely<Database>): PreparedStatements {
  // Prepared on first use: the tables exist only once the store is migrated.
  let prepared: ReturnType<typeof prepare> | undefined;
  const prepare = () => {
    const insertLink = database.prepare(
      `INSERT INTO links (${LINK_COLUMNS.join(', ')}) VALUES (${LINK_COLUMNS.map(() => '?').join(', ')})`,
    );
    const insertAudit = database.prepare(
      'INSERT INTO audit_events (at, actor, action, channel_id, detail) VALUES (?, ?, ?, ?, ?)',
    );
    return {
      claim: database.prepare(
        'INSERT INTO seen_slack_requests (digest, request_ts) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING',
      ),
      // The claim's commit need not wait for the disk: the next commit with synchronous=FULL (the link's, at the
      // latest) syncs the write-ahead log, this claim with it. Only a power cut before then could forget it.
      lazySync: database.prepare('PRAGMA synchronous = NORMAL'),
      fullSync: database.prepare('PRAGMA synchronous = FULL'),
      context: database.prepare(contextSql((name) => `@${name}`)),
      createLink: database.transaction((link: NewPartnerLink, at: Date) => {
        insertLink.run(linkValues(link));
        insertAudit.run(auditValues(link, at));
      }),
    };
  };
  const statements = () => (prepared ??= prepare());
  const run = async <T>(work: () => T): Promise<T> =>
    database.inTransaction ? db.connection().execute(async () => work()) : work();

  return {
    claimRequest: (digest, timestampSeconds) =>
      run(() => {
        const { claim, lazySync, fullSync } = statements();
        lazySync.run();
        try {
          return claim.run(digest, timestampSeconds).changes === 1;
        } finally {
          fullSync.run();
        }
      }),
    context: (userId, channelId) =>
      run(() => readContext(channelId, statements().context.all({ channel: channelId, user: userId }) as ContextRow[])),
    createLink: (link, at) => run(() => statements().createLink(link, at)),
  };
}

// --- PostgreSQL -----------------------------------------------------------------------------------------------------

const numbered = (from: number, count: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/** pg prepares a named statement once per connection and reuses it after. */
const PG = {
  claim: {
    name: 'upload-link-claim-request',
    text: 'INSERT INTO seen_slack_requests (digest, request_ts) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING',
  },
  context: {
    name: 'upload-link-command-context',
    text: contextSql((name) => (name === 'channel' ? '$1::text' : '$2::text')),
  },
  // One statement, so one round trip and atomic without BEGIN/COMMIT: the audit row exists exactly when the link does.
  createLink: {
    name: 'upload-link-create-link',
    text: `WITH link AS (
        INSERT INTO links (${LINK_COLUMNS.join(', ')}) VALUES (${numbered(1, LINK_COLUMNS.length)}) RETURNING id
      )
      INSERT INTO audit_events (at, actor, action, channel_id, detail)
      SELECT ${numbered(LINK_COLUMNS.length + 1, 5)
        .split(', ')
        .map((p) => `${p}::text`)
        .join(', ')} FROM link`,
  },
} as const;

export function postgresStatements(pool: import('pg').Pool): PreparedStatements {
  return {
    async claimRequest(digest, timestampSeconds) {
      const result = await pool.query({ ...PG.claim, values: [digest, timestampSeconds] });
      return result.rowCount === 1;
    },
    async context(userId, channelId) {
      const result = await pool.query<ContextRow>({ ...PG.context, values: [channelId, userId] });
      return readContext(channelId, result.rows);
    },
    async createLink(link, at) {
      await pool.query({ ...PG.createLink, values: [...linkValues(link), ...auditValues(link, at)] });
    },
  };
}
