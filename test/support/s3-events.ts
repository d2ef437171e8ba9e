/** S3 event records as the tests send them. */

/** A record as AWS writes it: the key URL-encoded, spaces as `+` (pitfall 16). */
export function awsRecord(bucket: string, key: string, object: { size: number; eTag?: string; sequencer?: string }) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date().toISOString(),
    eventName: 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: { key: encodeURIComponent(key).replace(/%20/g, '+'), ...object },
    },
  };
}
