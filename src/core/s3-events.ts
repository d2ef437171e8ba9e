/**
 * S3 event notifications as plain values: `{"Records":[…]}` from AWS (inside an SNS message), Ceph RGW or MinIO
 * (pushed to a webhook), or the playground's embedded S3. Only `ObjectCreated:*` records for our bucket matter.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 *
 * Keys: AWS URL-encodes the key in the record, with `+` for spaces (pitfall 16); Ceph RGW 16 and s3rver send it as
 * it is. A key is therefore tried decoded first, then as sent: keys are unique per link (a random id in each), so
 * the two readings never name two different links.
 */
import { z } from 'zod';
import type { CreatedObject } from './arrivals.js';

const record = z.object({
  eventName: z.string(),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.coerce.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const message = z.object({ Records: z.array(z.unknown()).max(1000) });

/** AWS's `s3:TestEvent`, sent once when a notification configuration is saved. */
const testEvent = z.object({ Event: z.literal('s3:TestEvent'), Bucket: z.string() });

export type S3EventMessage =
  | { readonly kind: 'test'; readonly bucket: string }
  | {
      readonly kind: 'records';
      readonly created: readonly CreatedObject[];
      /** Records that are not ObjectCreated:* for our bucket, or that do not parse: counted, then ignored. */
      readonly ignored: number;
    };

/** The readings of a record's key to look up, most likely first, without repeats. */
export function keyReadings(raw: string): string[] {
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    decoded = undefined; // A `%` that is not an escape: the key was sent as it is.
  }
  return decoded === undefined || decoded === raw ? [raw] : [decoded, raw];
}

function eventTime(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A parsed JSON body (or SNS Message text already parsed) → what it says; undefined when it is no S3 event. */
export function parseS3EventMessage(value: unknown, bucket: string): S3EventMessage | undefined {
  const test = testEvent.safeParse(value);
  if (test.success) return { kind: 'test', bucket: test.data.Bucket };
  const parsed = message.safeParse(value);
  if (!parsed.success) return undefined;
  const created: CreatedObject[] = [];
  let ignored = 0;
  for (const item of parsed.data.Records) {
    const r = record.safeParse(item);
    // eventName is `ObjectCreated:Put` on AWS and RGW, `s3:ObjectCreated:Put` on MinIO.
    if (!r.success || !/^(s3:)?ObjectCreated:/.test(r.data.eventName) || r.data.s3.bucket.name !== bucket) {
      ignored++;
      continue;
    }
    const object = r.data.s3.object;
    created.push({
      keys: keyReadings(object.key),
      size: object.size ?? 0,
      etag: object.eTag ?? '',
      sequencer: object.sequencer,
      eventTime: eventTime(r.data.eventTime),
    });
  }
  return { kind: 'records', created, ignored };
}
