/** Per-channel settings: overrides of the global prefix and expiries, and upload limits. */
import type { Kysely } from 'kysely';
import type { ChannelSettings } from '../core/model.js';
import type { ChannelSettingsRepository } from '../core/ports.js';
import { insertAudit } from './audit.js';
import { guard, numberOrUndefined, typesOrUndefined } from './guard.js';
import type { Database } from './schema.js';

export function toSettings(row: Database['channel_settings']): ChannelSettings {
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

export function createChannelSettingsRepository(db: Kysely<Database>): ChannelSettingsRepository {
  return {
    get: (channelId) =>
      guard(async () => {
        const row = await db
          .selectFrom('channel_settings')
          .selectAll()
          .where('channel_id', '=', channelId)
          .executeTakeFirst();
        return row === undefined ? undefined : toSettings(row);
      }),

    list: () =>
      guard(async () => {
        const rows = await db.selectFrom('channel_settings').selectAll().orderBy('channel_id').execute();
        return rows.map(toSettings);
      }),

    update: (channelId, patch, actor, at) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          const current = await trx
            .selectFrom('channel_settings')
            .selectAll()
            .where('channel_id', '=', channelId)
            .executeTakeFirst();
          const keep = <K extends keyof Database['channel_settings']>(column: K) => current?.[column] ?? null;
          const next = {
            channel_id: channelId,
            key_prefix: patch.keyPrefix === undefined ? keep('key_prefix') : patch.keyPrefix,
            default_expiry_seconds:
              patch.defaultExpirySeconds === undefined ? keep('default_expiry_seconds') : patch.defaultExpirySeconds,
            max_expiry_seconds:
              patch.maxExpirySeconds === undefined ? keep('max_expiry_seconds') : patch.maxExpirySeconds,
            max_size_bytes: patch.maxSizeBytes === undefined ? keep('max_size_bytes') : patch.maxSizeBytes,
            allowed_types:
              patch.allowedTypes === undefined
                ? keep('allowed_types')
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
          const detail = {
            prefix: next.key_prefix,
            defaultExpirySeconds: next.default_expiry_seconds,
            maxExpirySeconds: next.max_expiry_seconds,
            maxSizeBytes: numberOrUndefined(next.max_size_bytes) ?? null,
            allowedTypes: next.allowed_types,
          };
          await insertAudit(trx, { actor, action: 'settings.update', channelId, detail }, at);
          return toSettings(next);
        }),
      ),
  };
}
