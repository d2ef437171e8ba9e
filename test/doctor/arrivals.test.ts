/**
 * Doctor's arrivals check (src/doctor/arrivals.ts): what the bucket's notification configuration means, with plain
 * values, and read from a real bucket on Ceph RGW before and after its notification is set up.
 */
import type { NotificationConfiguration, S3Client, TopicConfiguration } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { arrivalVerdict, checkArrivals } from '../../src/doctor/arrivals.js';
import {
  createRgwTopic,
  type FreshBucket,
  freshRgwBucket,
  hasRgw,
  notifyOnObjectCreated,
  type RgwTopic,
  rgwTargetOrThrow,
} from '../support/rgw.js';

const BASE = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  S3_BUCKET: 'partner-uploads',
  AWS_REGION: 'eu-west-1',
  PUBLIC_URL: 'https://upload.example.com',
};
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:upload-link-events';
const TOKEN = 'doctor-token-0123456789abcdef0123456789abcdef';
const config = (env: Record<string, string> = {}) => loadConfig({ ...BASE, ...env });
const topicConfig = (fields: Partial<TopicConfiguration> = {}): TopicConfiguration => ({
  Id: 'x',
  TopicArn: TOPIC,
  Events: ['s3:ObjectCreated:*'],
  ...fields,
});

/** The JSON document printed after `Save as notification.json`. */
function printedNotification(details: readonly string[]): Record<string, unknown> {
  const start = details.findIndex((line) => line.startsWith('Save as notification.json')) + 1;
  const end = details.indexOf('}', start);
  return JSON.parse(details.slice(start, end + 1).join('\n'));
}

describe('arrivalVerdict', () => {
  it('SNS: a topic configuration for our topic covering every upload passes', () => {
    const result = arrivalVerdict(config({ S3_EVENTS_SNS_TOPIC_ARN: TOPIC }), {
      TopicConfigurations: [topicConfig({ Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } } })],
    });
    expect(result.status).toBe('pass');
    expect(result.summary).toContain(`to ${TOPIC}, which should deliver to https://upload.example.com/s3/events`);
  });

  it.each<[string, NotificationConfiguration]>([
    ['no configuration', {}],
    ['another topic', { TopicConfigurations: [topicConfig({ TopicArn: `${TOPIC}-2` })] }],
    ['deletions only', { TopicConfigurations: [topicConfig({ Events: ['s3:ObjectRemoved:*'] })] }],
    ['Put without multipart', { TopicConfigurations: [topicConfig({ Events: ['s3:ObjectCreated:Put'] })] }],
    [
      'a prefix other than UPLOAD_PREFIX',
      {
        TopicConfigurations: [topicConfig({ Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'other/' }] } } })],
      },
    ],
  ])('SNS: %s fails, with the commands to paste', (_case, existing) => {
    const result = arrivalVerdict(config({ S3_EVENTS_SNS_TOPIC_ARN: TOPIC }), existing);
    expect(result.status).toBe('fail');
    expect(result.details).toContain(
      'aws s3api put-bucket-notification-configuration --bucket partner-uploads --notification-configuration file://notification.json',
    );
    expect(result.details).toContain(
      `aws sns subscribe --region eu-west-1 --topic-arn ${TOPIC} --protocol https --notification-endpoint https://upload.example.com/s3/events`,
    );
    const document = printedNotification(result.details) as { TopicConfigurations: Record<string, unknown>[] };
    expect(document.TopicConfigurations[0]).toEqual({
      Id: 'upload-link-arrivals',
      TopicArn: TOPIC,
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
    });
    // put-bucket-notification-configuration replaces the whole configuration: what was there is kept.
    expect(document.TopicConfigurations.slice(1)).toEqual(existing.TopicConfigurations ?? []);
    expect(result.details.join('\n')).toContain('"aws:SourceArn": "arn:aws:s3:::partner-uploads"');
  });

  it('webhook: any topic or queue configuration covering the uploads passes (RGW topics, MinIO queues)', () => {
    const minio: NotificationConfiguration = {
      QueueConfigurations: [{ QueueArn: 'arn:minio:sqs::uploadlink:webhook', Events: ['s3:ObjectCreated:*'] }],
    };
    expect(arrivalVerdict(config({ S3_EVENTS_TOKEN: TOKEN }), minio).status).toBe('pass');
    const none = arrivalVerdict(config({ S3_EVENTS_TOKEN: TOKEN }), {});
    expect(none.status).toBe('fail');
    expect(none.details.join('\n')).toContain('/s3/events/<S3_EVENTS_TOKEN>');
    expect(none.details.join('\n')).not.toContain(TOKEN);
  });

  it('no events: polling passes, with the commands to set events up; polling off warns', () => {
    const polling = arrivalVerdict(config(), {});
    expect(polling).toMatchObject({ status: 'pass' });
    expect(polling.details[0]).toBe('To announce them as they land, set up S3 events:');
    expect(arrivalVerdict(config({ ARRIVAL_POLLING: 'off' }), {})).toMatchObject({
      status: 'warn',
      summary: 'no S3 events and ARRIVAL_POLLING=off: only partner page uploads are announced',
    });
  });

  it('Socket Mode: polling, and nothing to set up (no public endpoint)', async () => {
    const socket = loadConfig({ ...BASE, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1-abc' });
    const result = await checkArrivals(socket, {} as S3Client, 1000);
    expect(result).toMatchObject({ status: 'pass', details: [] });
    expect(result.summary).toContain('(Socket Mode has no public endpoint for S3 events)');
  });

  it('an SNS topic in another region than the bucket fails before asking S3', async () => {
    const other = config({ S3_EVENTS_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' });
    const result = await checkArrivals(other, {} as S3Client, 1000);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain("S3 only notifies topics in the bucket's region (eu-west-1)");
  });
});

describe.skipIf(!hasRgw())("checkArrivals against a Ceph RGW bucket's own configuration", () => {
  let bucket: FreshBucket;
  let topic: RgwTopic | undefined;
  beforeEach(async () => {
    bucket = await freshRgwBucket(rgwTargetOrThrow(), 'doctor');
  });
  afterEach(async () => {
    await topic?.delete();
    await bucket.drop();
  });

  it('fails with the RGW commands until the bucket notifies a topic, then passes', async () => {
    const target = rgwTargetOrThrow();
    const rgw = loadConfig({
      ...BASE,
      S3_BUCKET: bucket.name,
      AWS_REGION: target.region,
      S3_ENDPOINT: target.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_EVENTS_TOKEN: TOKEN,
    });
    const before = await checkArrivals(rgw, bucket.client, 5000);
    expect(before.status).toBe('fail');
    expect(before.details).toContain(
      `aws --endpoint-url ${target.endpoint} sns create-topic --name upload-link-events --attributes '{"push-endpoint":"https://upload.example.com/s3/events/<S3_EVENTS_TOKEN>","persistent":"true"}'`,
    );
    topic = await createRgwTopic(target, { pushEndpoint: `https://upload.example.com/s3/events/${TOKEN}` });
    await notifyOnObjectCreated(bucket.client, bucket.name, topic.arn);
    const after = await checkArrivals(rgw, bucket.client, 5000);
    expect(after.status).toBe('pass');
  });
});
