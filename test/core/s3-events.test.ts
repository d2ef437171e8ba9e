/** S3 event messages as plain values (core/s3-events.ts): which records count, and how keys are read. */
import { describe, expect, it } from 'vitest';
import { keyReadings, parseS3EventMessage } from '../../src/core/s3-events.js';

const record = (fields: { eventName?: string; bucket?: string; key: string; size?: unknown; eTag?: string }) => ({
  eventName: fields.eventName ?? 'ObjectCreated:Put',
  eventTime: '2026-03-02T09:00:00.123456Z',
  s3: {
    bucket: { name: fields.bucket ?? 'b' },
    object: { key: fields.key, size: fields.size ?? 1, eTag: fields.eTag },
  },
});

describe('keyReadings', () => {
  it.each([
    ['uploads/a/report.pdf', ['uploads/a/report.pdf']],
    // AWS: form-encoded (spaces as +).
    ['uploads/a/Q3+figures.xlsx', ['uploads/a/Q3 figures.xlsx', 'uploads/a/Q3+figures.xlsx']],
    ['uploads/a/r%C3%A9sum%C3%A9+%2B+1.pdf', ['uploads/a/résumé + 1.pdf', 'uploads/a/r%C3%A9sum%C3%A9+%2B+1.pdf']],
    // RGW and s3rver: as stored; a % that is no escape leaves only the raw reading.
    ['uploads/a/100% sure.pdf', ['uploads/a/100% sure.pdf']],
    ['uploads/a/a+b.csv', ['uploads/a/a b.csv', 'uploads/a/a+b.csv']],
  ])('%s → %j', (raw, readings) => {
    expect(keyReadings(raw)).toEqual(readings);
  });
});

describe('parseS3EventMessage', () => {
  it('keeps ObjectCreated:* records for our bucket (AWS, RGW and MinIO spellings), counts the rest', () => {
    const message = {
      Records: [
        record({ key: 'k1', eTag: 'e1', size: 5 }),
        record({ key: 'k2', eventName: 's3:ObjectCreated:CompleteMultipartUpload', size: '7' }),
        record({ key: 'k3', eventName: 'ObjectRemoved:Delete' }),
        record({ key: 'k4', bucket: 'other' }),
        { nonsense: true },
      ],
    };
    expect(parseS3EventMessage(message, 'b')).toEqual({
      kind: 'records',
      created: [
        { keys: ['k1'], size: 5, etag: 'e1', sequencer: undefined, eventTime: new Date('2026-03-02T09:00:00.123Z') },
        { keys: ['k2'], size: 7, etag: '', sequencer: undefined, eventTime: new Date('2026-03-02T09:00:00.123Z') },
      ],
      ignored: 3,
    });
  });

  it("tells S3's test event", () => {
    expect(parseS3EventMessage({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }, 'b')).toEqual({
      kind: 'test',
      bucket: 'b',
    });
  });

  it.each([null, [], {}, { Records: 'x' }, { Records: new Array(1001).fill({}) }, 'text'])(
    'is no S3 event: %j',
    (value) => {
      expect(parseS3EventMessage(value, 'b')).toBeUndefined();
    },
  );
});
