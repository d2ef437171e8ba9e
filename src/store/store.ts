/**
 * The access store: admins added from Slack, allowlist entries, channel settings and the audit trail.
 * Every change writes its audit event in the same transaction. Nothing here is cached: several instances on one
 * PostgreSQL see each other's changes on their next request.
 */
import type { Kysely, Transaction } from 'kysely';
import { type Dialect, type MigrationReport, migrateToLatest } from './migrations.js';
import { type Database, EVERYWHERE, type SubjectType } from './schema.js';

export type { SubjectType };
export { EVERYWHERE };

/** The store cannot be reached or failed: users get "temporarily unavailable, nothing was created". */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface Subject {
  readonly type: SubjectType;
  readonly id: string;
}

export interface AccessEntry extends Subject {
  /** A channel id, or EVERYWHERE. */
  readonly scope: string;
  readonly addedBy: string;
  readonly addedAt: Date;
}

export interface AdminRecord {
  readonly userId: string;
  readonly addedBy: string;
  readonly addedAt: Date;
}

export interface ChannelSettings {
  readonly channelId: string;
  readonly keyPrefix: string | undefined;
  readonly defaultExpirySeconds: number | undefined;
  readonly maxExpirySeconds: number | undefined;
  readonly maxSizeBytes: number | undefined;
  /** Lowercase extensions; undefined → any type. */
  readonly allowedTypes: readonly string[] | undefined;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

/** A change to channel settings: a value sets, `null` clears back to the default, absent leaves as is. */
export interface ChannelSettingsPatch {
  readonly keyPrefix?: string | null;
  readonly defaultExpirySeconds?: number | null;
  readonly maxExpirySeconds?: number | null;
  readonly maxSizeBytes?: number | null;
  readonly allowedTypes?: readonly string[] | null;
}

export type AuditAction =
  | 'link.issued'
  | 'link.refused'
  | 'link.revoked'
  | 'link.uploaded'
  | 'access.allow'
  | 'access.disallow'
  | 'admin.add'
  | 'admin.remove'
  | 'settings.update';

export interface AuditEvent {
  readonly actor: string;
  readonly action: AuditAction;
  readonly channelId: string | undefined;
  /** What happened. Never a URL. */
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEvent {
  readonly id: number;
  readonly at: Date;
}

export interface AuditQuery {
  readonly channelId?: string;
  readonly actor?: string;
  readonly action?: AuditAction;
  readonly limit: number;
}

export interface ChangeResult {
  /** Subjects whose state changed. */
  readonly changed: readonly Subject[];
  /** Subjects that were already in the asked state. */
  readonly unchanged: readonly Subject[];
}

export interface PartnerLink {
  readonly id: string;
  readonly channelId: string;
  readonly channelName: string;
  readonly teamName: string;
  readonly requester: string;
  readonly filename: string;
  readonly key: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly singleUse: boolean;
  readonly maxSizeBytes: number | undefined;
  readonly allowedTypes: readonly string[] | undefined;
  readonly revokedAt: Date | undefined;
  readonly revokedBy: string | undefined;
  readonly uploadedAt: Date | undefined;
  readonly uploadedSize: number | undefined;
  readonly uploadedType: string | undefined;
  readonly uploads: number;
}

export type NewPartnerLink = Omit<
  PartnerLink,
  'revokedAt' | 'revokedBy' | 'uploadedAt' | 'uploadedSize' | 'uploadedType' | 'uploads'
>;

export interface Arrival {
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
}

export interface AccessStore {
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;

  listAdmins(): Promise<AdminRecord[]>;
  isAdmin(userId: string): Promise<boolean>;
  addAdmin(userId: string, actor: string, at: Date): Promise<boolean>;
  removeAdmin(userId: string, actor: string, at: Date): Promise<boolean>;

  /** Entries that apply in `channelId`: its own and the "everywhere" ones. */
  entriesFor(channelId: string): Promise<AccessEntry[]>;
  listEntries(): Promise<AccessEntry[]>;
  allow(subjects: readonly Subject[], scope: string, actor: string, at: Date): Promise<ChangeResult>;
  disallow(subjects: readonly Subject[], scope: string, actor: string, at: Date): Promise<ChangeResult>;

  channelSettings(channelId: string): Promise<ChannelSettings | undefined>;
  listChannelSettings(): Promise<ChannelSettings[]>;
  updateChannelSettings(
    channelId: string,
    patch: ChannelSettingsPatch,
    actor: string,
    at: Date,
  ): Promise<ChannelSettings>;

  recordAudit(event: AuditEvent, at: Date): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditRecord[]>;

  /** Store a partner link and its `link.issued` audit event together. */
  createLink(link: NewPartnerLink, at: Date): Promise<void>;
  getLink(id: string): Promise<PartnerLink | undefined>;
  revokeLink(id: string, actor: string, at: Date): Promise<'revoked' | 'already-closed' | 'missing'>;
  /**
   * Record an arrival confirmed in S3. `first` is false when this exact object (same ETag) was already recorded,
   * so a repeated completion posts nothing new.
   */
  recordArrival(id: string, arrival: Arrival, at: Date): Promise<{ first: boolean; link: PartnerLink } | undefined>;
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Run `work`; any database failure becomes a StoreUnavailableError. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`the access store failed: ${describeError(error)}`, { cause: error });
  }
}

const subjectKey = (s: Subject) => `${s.type}:${s.id}`;

function uniqueSubjects(subjects: readonly Subject[]): Subject[] {
  const seen = new Map<string, Subject>();
  for (const s of subjects) seen.set(subjectKey(s), { type: s.type, id: s.id });
  return [...seen.values()];
}

async function insertAudit(trx: Kysely<Database> | Transaction<Database>, event: AuditEvent, at: Date) {
  await trx
    .insertInto('audit_events')
    .values({
      at: at.toISOString(),
      actor: event.actor,
      action: event.action,
      channel_id: event.channelId ?? null,
      detail: JSON.stringify(event.detail),
    })
    .execute();
}

const scopeDetail = (scope: string) => (scope === EVERYWHERE ? 'everywhere' : scope);

/** The audit event of an allow or disallow: which subjects changed, where. */
function auditAccessChange(
  trx: Transaction<Database>,
  action: 'access.allow' | 'access.disallow',
  actor: string,
  scope: string,
  changed: readonly Subject[],
  at: Date,
) {
  const channelId = scope === EVERYWHERE ? undefined : scope;
  const detail = { scope: scopeDetail(scope), subjects: changed.map(subjectKey) };
  return insertAudit(trx, { actor, action, channelId, detail }, at);
}

export function createAccessStore(db: Kysely<Database>, dialect: Dialect, close: () => Promise<void>): AccessStore {
  return {
    migrate: () => guard(() => migrateToLatest(db as Kysely<unknown>, dialect)),
    close,

    listAdmins: () =>
      guard(async () => {
        const rows = await db.selectFrom('admins').selectAll().orderBy('added_at').orderBy('user_id').execute();
        return rows.map((r) => ({ userId: r.user_id, addedBy: r.added_by, addedAt: new Date(r.added_at) }));
      }),

    isAdmin: (userId) =>
      guard(async () => {
        const row = await db.selectFrom('admins').select('user_id').where('user_id', '=', userId).executeTakeFirst();
        return row !== undefined;
      }),

    addAdmin: (userId, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const existing = await trx
            .selectFrom('admins')
            .select('user_id')
            .where('user_id', '=', userId)
            .executeTakeFirst();
          if (existing) return false;
          await trx
            .insertInto('admins')
            .values({ user_id: userId, added_by: actor, added_at: at.toISOString() })
            .execute();
          await insertAudit(trx, { actor, action: 'admin.add', channelId: undefined, detail: { user: userId } }, at);
          return true;
        }),
      ),

    removeAdmin: (userId, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const result = await trx.deleteFrom('admins').where('user_id', '=', userId).executeTakeFirst();
          if (Number(result.numDeletedRows) === 0) return false;
          await insertAudit(trx, { actor, action: 'admin.remove', channelId: undefined, detail: { user: userId } }, at);
          return true;
        }),
      ),

    entriesFor: (channelId) =>
      guard(async () => {
        const rows = await db
          .selectFrom('access_entries')
          .selectAll()
          .where('scope', 'in', [channelId, EVERYWHERE])
          .execute();
        return rows.map(toEntry);
      }),

    listEntries: () =>
      guard(async () => {
        const rows = await db
          .selectFrom('access_entries')
          .selectAll()
          .orderBy('scope')
          .orderBy('added_at')
          .orderBy('subject_id')
          .execute();
        return rows.map(toEntry);
      }),

    allow: (subjects, scope, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const wanted = uniqueSubjects(subjects);
          const existing = await existingSubjects(trx, wanted, scope);
          const changed = wanted.filter((s) => !existing.has(subjectKey(s)));
          if (changed.length > 0) {
            await trx
              .insertInto('access_entries')
              .values(
                changed.map((s) => ({
                  subject_type: s.type,
                  subject_id: s.id,
                  scope,
                  added_by: actor,
                  added_at: at.toISOString(),
                })),
              )
              .execute();
            await auditAccessChange(trx, 'access.allow', actor, scope, changed, at);
          }
          return { changed, unchanged: wanted.filter((s) => existing.has(subjectKey(s))) };
        }),
      ),

    disallow: (subjects, scope, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const wanted = uniqueSubjects(subjects);
          const existing = await existingSubjects(trx, wanted, scope);
          const changed = wanted.filter((s) => existing.has(subjectKey(s)));
          for (const s of changed) {
            await trx
              .deleteFrom('access_entries')
              .where('subject_type', '=', s.type)
              .where('subject_id', '=', s.id)
              .where('scope', '=', scope)
              .execute();
          }
          if (changed.length > 0) {
            await auditAccessChange(trx, 'access.disallow', actor, scope, changed, at);
          }
          return { changed, unchanged: wanted.filter((s) => !existing.has(subjectKey(s))) };
        }),
      ),

    channelSettings: (channelId) =>
      guard(async () => {
        const row = await db
          .selectFrom('channel_settings')
          .selectAll()
          .where('channel_id', '=', channelId)
          .executeTakeFirst();
        return row === undefined ? undefined : toSettings(row);
      }),

    listChannelSettings: () =>
      guard(async () => {
        const rows = await db.selectFrom('channel_settings').selectAll().orderBy('channel_id').execute();
        return rows.map(toSettings);
      }),

    updateChannelSettings: (channelId, patch, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const current = await trx
            .selectFrom('channel_settings')
            .selectAll()
            .where('channel_id', '=', channelId)
            .executeTakeFirst();
          const next = {
            channel_id: channelId,
            key_prefix: patch.keyPrefix === undefined ? (current?.key_prefix ?? null) : patch.keyPrefix,
            default_expiry_seconds:
              patch.defaultExpirySeconds === undefined
                ? (current?.default_expiry_seconds ?? null)
                : patch.defaultExpirySeconds,
            max_expiry_seconds:
              patch.maxExpirySeconds === undefined ? (current?.max_expiry_seconds ?? null) : patch.maxExpirySeconds,
            max_size_bytes: patch.maxSizeBytes === undefined ? (current?.max_size_bytes ?? null) : patch.maxSizeBytes,
            allowed_types:
              patch.allowedTypes === undefined
                ? (current?.allowed_types ?? null)
                : patch.allowedTypes === null
                  ? null
                  : patch.allowedTypes.join(','),
            updated_by: actor,
            updated_at: at.toISOString(),
          };
          if (current) {
            await trx.updateTable('channel_settings').set(next).where('channel_id', '=', channelId).execute();
          } else {
            await trx.insertInto('channel_settings').values(next).execute();
          }
          await insertAudit(
            trx,
            {
              actor,
              action: 'settings.update',
              channelId,
              detail: {
                prefix: next.key_prefix,
                defaultExpirySeconds: next.default_expiry_seconds,
                maxExpirySeconds: next.max_expiry_seconds,
                maxSizeBytes: numberOrUndefined(next.max_size_bytes) ?? null,
                allowedTypes: next.allowed_types,
              },
            },
            at,
          );
          return toSettings(next);
        }),
      ),

    recordAudit: (event, at) => guard(() => insertAudit(db, event, at)),

    createLink: (link, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('links')
            .values({
              id: link.id,
              channel_id: link.channelId,
              channel_name: link.channelName,
              team_name: link.teamName,
              requester: link.requester,
              filename: link.filename,
              object_key: link.key,
              created_at: link.createdAt.toISOString(),
              expires_at: link.expiresAt.toISOString(),
              single_use: link.singleUse ? 1 : 0,
              max_size_bytes: link.maxSizeBytes ?? null,
              allowed_types: link.allowedTypes?.join(',') ?? null,
              revoked_at: null,
              revoked_by: null,
              uploaded_at: null,
              uploaded_etag: null,
              uploaded_size: null,
              uploaded_type: null,
              uploads: 0,
            })
            .execute();
          await insertAudit(
            trx,
            {
              actor: link.requester,
              action: 'link.issued',
              channelId: link.channelId,
              detail: {
                filename: link.filename,
                key: link.key,
                expiresAt: link.expiresAt.toISOString(),
                link: link.id,
                ...(link.singleUse ? { singleUse: true } : {}),
              },
            },
            at,
          );
        }),
      ),

    getLink: (id) =>
      guard(async () => {
        const row = await db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? undefined : toLink(row);
      }),

    revokeLink: (id, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
          if (row === undefined) return 'missing' as const;
          if (row.revoked_at !== null) return 'already-closed' as const;
          await trx
            .updateTable('links')
            .set({ revoked_at: at.toISOString(), revoked_by: actor })
            .where('id', '=', id)
            .execute();
          await insertAudit(
            trx,
            {
              actor,
              action: 'link.revoked',
              channelId: row.channel_id,
              detail: { link: id, key: row.object_key, filename: row.filename },
            },
            at,
          );
          return 'revoked' as const;
        }),
      ),

    recordArrival: (id, arrival, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
          if (row === undefined) return undefined;
          if (row.uploaded_etag === arrival.etag) return { first: false, link: toLink(row) };
          const updated = {
            uploaded_at: at.toISOString(),
            uploaded_etag: arrival.etag,
            uploaded_size: arrival.size,
            uploaded_type: arrival.contentType,
            uploads: row.uploads + 1,
          };
          await trx.updateTable('links').set(updated).where('id', '=', id).execute();
          await insertAudit(
            trx,
            {
              actor: 'partner',
              action: 'link.uploaded',
              channelId: row.channel_id,
              detail: {
                link: id,
                key: row.object_key,
                filename: row.filename,
                size: arrival.size,
                contentType: arrival.contentType,
                requester: row.requester,
              },
            },
            at,
          );
          return { first: true, link: toLink({ ...row, ...updated }) };
        }),
      ),

    listAudit: (query) =>
      guard(async () => {
        let q = db.selectFrom('audit_events').selectAll();
        if (query.channelId !== undefined) q = q.where('channel_id', '=', query.channelId);
        if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
        if (query.action !== undefined) q = q.where('action', '=', query.action);
        const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
        return rows.map((r) => ({
          id: Number(r.id),
          at: new Date(r.at),
          actor: r.actor,
          action: r.action as AuditAction,
          channelId: r.channel_id ?? undefined,
          detail: JSON.parse(r.detail) as Record<string, unknown>,
        }));
      }),
  };
}

async function existingSubjects(trx: Transaction<Database>, subjects: readonly Subject[], scope: string) {
  if (subjects.length === 0) return new Set<string>();
  const rows = await trx
    .selectFrom('access_entries')
    .select(['subject_type', 'subject_id'])
    .where('scope', '=', scope)
    .where(
      'subject_id',
      'in',
      subjects.map((s) => s.id),
    )
    .execute();
  return new Set(rows.map((r) => subjectKey({ type: r.subject_type, id: r.subject_id })));
}

function toEntry(row: Database['access_entries']): AccessEntry {
  return {
    type: row.subject_type,
    id: row.subject_id,
    scope: row.scope,
    addedBy: row.added_by,
    addedAt: new Date(row.added_at),
  };
}

function toSettings(row: Database['channel_settings']): ChannelSettings {
  return {
    channelId: row.channel_id,
    keyPrefix: row.key_prefix ?? undefined,
    defaultExpirySeconds: row.default_expiry_seconds ?? undefined,
    maxExpirySeconds: row.max_expiry_seconds ?? undefined,
    maxSizeBytes: numberOrUndefined(row.max_size_bytes),
    allowedTypes: typesOrUndefined(row.allowed_types),
    updatedBy: row.updated_by,
    updatedAt: new Date(row.updated_at),
  };
}

function numberOrUndefined(value: number | string | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function typesOrUndefined(value: string | null | undefined): string[] | undefined {
  return value === null || value === undefined || value === '' ? undefined : value.split(',');
}

function toLink(row: Database['links']): PartnerLink {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    teamName: row.team_name,
    requester: row.requester,
    filename: row.filename,
    key: row.object_key,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    singleUse: Number(row.single_use) === 1,
    maxSizeBytes: numberOrUndefined(row.max_size_bytes),
    allowedTypes: typesOrUndefined(row.allowed_types),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
    revokedBy: row.revoked_by ?? undefined,
    uploadedAt: row.uploaded_at === null ? undefined : new Date(row.uploaded_at),
    uploadedSize: numberOrUndefined(row.uploaded_size),
    uploadedType: row.uploaded_type ?? undefined,
    uploads: Number(row.uploads),
  };
}
