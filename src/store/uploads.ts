/** Multipart uploads the partner page started, each tied to its link (migration 0004_multipart). */
import type { Kysely } from 'kysely';
import type { MultipartUpload, UploadState } from '../core/multipart.js';
import type { UploadRepository } from '../core/ports.js';
import { guard } from './guard.js';
import type { Database } from './schema.js';

const STATES: readonly UploadState[] = ['open', 'completing', 'completed', 'aborted'];

function toUpload(row: Database['multipart_uploads']): MultipartUpload {
  const state = STATES.find((s) => s === row.state);
  if (state === undefined) throw new Error(`multipart upload ${row.upload_id} has an unknown state ${row.state}`);
  return {
    uploadId: row.upload_id,
    linkId: row.link_id,
    key: row.object_key,
    size: Number(row.size),
    partSize: Number(row.part_size),
    partCount: Number(row.part_count),
    contentType: row.content_type,
    state,
    createdAt: new Date(row.created_at),
    closedAt: row.closed_at === null ? undefined : new Date(row.closed_at),
  };
}

export function createUploadRepository(db: Kysely<Database>): UploadRepository {
  return {
    create: (upload) =>
      guard(async () => {
        await db
          .insertInto('multipart_uploads')
          .values({
            upload_id: upload.uploadId,
            link_id: upload.linkId,
            object_key: upload.key,
            size: upload.size,
            part_size: upload.partSize,
            part_count: upload.partCount,
            content_type: upload.contentType,
            state: 'open',
            created_at: upload.createdAt.toISOString(),
            closed_at: null,
          })
          .execute();
      }),

    get: (linkId, uploadId) =>
      guard(async () => {
        const row = await db
          .selectFrom('multipart_uploads')
          .selectAll()
          .where('upload_id', '=', uploadId)
          .where('link_id', '=', linkId)
          .executeTakeFirst();
        return row === undefined ? undefined : toUpload(row);
      }),

    claimCompletion: (linkId, uploadId, singleUse) =>
      guard(async () => {
        // One statement, so two completions racing (two tabs, two instances) cannot both win.
        let update = db
          .updateTable('multipart_uploads')
          .set({ state: 'completing' })
          .where('upload_id', '=', uploadId)
          .where('link_id', '=', linkId)
          .where('state', '=', 'open');
        if (singleUse) {
          update = update.where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('multipart_uploads as other')
                  .select('other.upload_id')
                  .where('other.link_id', '=', linkId)
                  .where('other.state', 'in', ['completing', 'completed']),
              ),
            ),
          );
        }
        const result = await update.executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),

    releaseCompletion: (uploadId) =>
      guard(async () => {
        await db
          .updateTable('multipart_uploads')
          .set({ state: 'open' })
          .where('upload_id', '=', uploadId)
          .where('state', '=', 'completing')
          .execute();
      }),

    close: (uploadId, state, at) =>
      guard(async () => {
        const result = await db
          .updateTable('multipart_uploads')
          .set({ state, closed_at: at.toISOString() })
          .where('upload_id', '=', uploadId)
          .where('state', 'in', ['open', 'completing'])
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),

    openOfClosedLinks: (now, limit) =>
      guard(async () => {
        const rows = await db
          .selectFrom('multipart_uploads')
          .innerJoin('links', 'links.id', 'multipart_uploads.link_id')
          .selectAll('multipart_uploads')
          .where('multipart_uploads.state', '=', 'open')
          .where((eb) =>
            eb.or([
              eb('links.revoked_at', 'is not', null),
              eb('links.expires_at', '<=', now.toISOString()),
              eb.and([eb('links.single_use', '=', 1), eb('links.uploads', '>', 0)]),
            ]),
          )
          .orderBy('multipart_uploads.created_at')
          .limit(limit)
          .execute();
        return rows.map(toUpload);
      }),
  };
}
