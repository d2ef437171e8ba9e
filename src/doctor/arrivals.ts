/**
 * 6. How arrivals will be announced: read the bucket's notification configuration and say whether S3 events reach
 * the bot (SNS on AWS, a webhook on Ceph RGW or MinIO), or polling finds them, or nothing does; with the exact
 * commands to paste when events are not set up. Never prints S3_EVENTS_TOKEN: commands carry `<S3_EVENTS_TOKEN>`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html
 */
import {
  GetBucketNotificationConfigurationCommand,
  type GetBucketNotificationConfigurationCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parseTopicArn } from '../arrivals/topic.js';
import type { Config } from '../config.js';
import { networkHint, s3Failure, unreachable } from './region.js';
import { check, safeUrl } from './shared.js';
import type { CheckResult } from './types.js';

type Notifications = Omit<GetBucketNotificationConfigurationCommandOutput, '$metadata'>;
interface NotificationTarget {
  readonly Events?: readonly string[];
  readonly Filter?: { readonly Key?: { readonly FilterRules?: readonly { Name?: string; Value?: string }[] } };
}

const TOPIC_NAME = 'upload-link-events';
const CONFIGURATION_ID = 'upload-link-arrivals';

/** Does this configuration send every object created under `prefix`? */
export function coversUploads(target: NotificationTarget, prefix: string): boolean {
  const events = target.Events ?? [];
  const created =
    events.some((e) => e === 's3:ObjectCreated:*') ||
    (events.includes('s3:ObjectCreated:Put') && events.includes('s3:ObjectCreated:CompleteMultipartUpload'));
  const rules = target.Filter?.Key?.FilterRules ?? [];
  const filtered = rules.every((rule) => rule.Name?.toLowerCase() === 'prefix' && prefix.startsWith(rule.Value ?? ''));
  return created && filtered;
}

/** The configuration to apply: ours first, then what the bucket has (put-bucket-notification-configuration replaces it). */
function notificationDocument(topicArn: string, prefix: string, existing: Notifications): string {
  const ours = {
    Id: CONFIGURATION_ID,
    TopicArn: topicArn,
    Events: ['s3:ObjectCreated:*'],
    Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
  };
  const kept = (existing.TopicConfigurations ?? []).filter((t) => t.Id !== CONFIGURATION_ID);
  return JSON.stringify({ ...existing, TopicConfigurations: [ours, ...kept] }, null, 2);
}

const endpointFlag = (config: Config) =>
  config.s3.endpoint === undefined ? '' : ` --endpoint-url ${safeUrl(config.s3.endpoint).replace(/\/$/, '')}`;
const publicUrl = (config: Config) => config.publicUrl ?? '<PUBLIC_URL>';

export function awsEventCommands(config: Config, existing: Notifications): string[] {
  const { bucket, region } = config.s3;
  const topic = parseTopicArn(config.arrivals.snsTopicArn ?? '');
  const arn = topic?.arn ?? `arn:aws:sns:${region}:<ACCOUNT_ID>:${TOPIC_NAME}`;
  const account = topic?.account ?? '<ACCOUNT_ID>';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3PublishesUploads',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: arn,
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      },
    ],
  };
  return [
    ...(topic === undefined ? [`aws sns create-topic --region ${region} --name ${TOPIC_NAME}`] : []),
    'Save as sns-policy.json (lets the bucket publish to the topic):',
    ...JSON.stringify(policy, null, 2).split('\n'),
    `aws sns set-topic-attributes --region ${region} --topic-arn ${arn} --attribute-name Policy --attribute-value file://sns-policy.json`,
    'Save as notification.json (the bucket notifies the topic of every upload under UPLOAD_PREFIX):',
    ...notificationDocument(arn, config.uploadPrefix, existing).split('\n'),
    `aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration file://notification.json`,
    `aws sns subscribe --region ${region} --topic-arn ${arn} --protocol https --notification-endpoint ${publicUrl(config)}/s3/events`,
    `Then set S3_EVENTS_SNS_TOPIC_ARN=${arn}; the bot confirms the subscription itself.`,
  ];
}

export function webhookEventCommands(config: Config, existing: Notifications): string[] {
  const endpoint = endpointFlag(config) || ' --endpoint-url <S3_ENDPOINT>';
  const push = `${publicUrl(config)}/s3/events/<S3_EVENTS_TOKEN>`;
  return [
    'Ceph RGW (its SNS-compatible API; a persistent topic queues and retries pushes):',
    `aws${endpoint} sns create-topic --name ${TOPIC_NAME} --attributes '{"push-endpoint":"${push}","persistent":"true"}'`,
    'Save as notification.json, with the TopicArn create-topic printed:',
    ...notificationDocument(`arn:aws:sns:default::${TOPIC_NAME}`, config.uploadPrefix, existing).split('\n'),
    `aws${endpoint} s3api put-bucket-notification-configuration --bucket ${config.s3.bucket} --notification-configuration file://notification.json`,
    'MinIO (mc, with ALIAS for the server):',
    `mc admin config set ALIAS notify_webhook:uploadlink endpoint="${push}" queue_dir=/var/lib/minio/events`,
    'mc admin service restart ALIAS',
    `mc event add ALIAS/${config.s3.bucket} arn:minio:sqs::uploadlink:webhook --event put --prefix ${config.uploadPrefix}`,
  ];
}

/** What the bucket's notification configuration means for the events the bot is set up for. */
export function arrivalVerdict(config: Config, existing: Notifications): CheckResult {
  const { bucket } = config.s3;
  const { snsTopicArn, eventsToken } = config.arrivals;
  const prefix = config.uploadPrefix;
  const topics = existing.TopicConfigurations ?? [];
  if (snsTopicArn !== undefined) {
    if (topics.some((t) => t.TopicArn === snsTopicArn && coversUploads(t, prefix))) {
      return check(
        'arrivals',
        'pass',
        `bucket ${bucket} sends s3:ObjectCreated:* under ${prefix} to ${snsTopicArn}, which should deliver to ${publicUrl(config)}/s3/events`,
        [
          `Check the subscription: aws sns list-subscriptions-by-topic --region ${config.s3.region} --topic-arn ${snsTopicArn}`,
        ],
      );
    }
    return check(
      'arrivals',
      'fail',
      `bucket ${bucket} does not send s3:ObjectCreated:* under ${prefix} to ${snsTopicArn}: raw-URL uploads will not be announced`,
      awsEventCommands(config, existing),
    );
  }
  const targets = [...topics, ...(existing.QueueConfigurations ?? [])];
  if (eventsToken !== undefined) {
    if (targets.some((t) => coversUploads(t, prefix))) {
      return check(
        'arrivals',
        'pass',
        `bucket ${bucket} sends s3:ObjectCreated:* under ${prefix} to a topic; its push endpoint should be ${publicUrl(config)}/s3/events/<S3_EVENTS_TOKEN>`,
      );
    }
    return check(
      'arrivals',
      'fail',
      `bucket ${bucket} sends no s3:ObjectCreated:* events under ${prefix}: raw-URL uploads will not be announced`,
      webhookEventCommands(config, existing),
    );
  }
  return noEvents(config, existing);
}

function noEvents(config: Config, existing: Notifications): CheckResult {
  const socket = config.slack.appToken !== undefined;
  const how = config.s3.endpoint === undefined ? awsEventCommands : webhookEventCommands;
  const fix = socket ? [] : ['To announce them as they land, set up S3 events:', ...how(config, existing)];
  if (config.arrivals.polling) {
    const why = socket ? ' (Socket Mode has no public endpoint for S3 events)' : '';
    return check(
      'arrivals',
      'pass',
      `raw-URL uploads are found by polling HeadObject${why}, within minutes, at most ${config.arrivals.pollMaxPerMinute} calls a minute per instance`,
      fix,
    );
  }
  return check(
    'arrivals',
    'warn',
    'no S3 events and ARRIVAL_POLLING=off: only partner page uploads are announced',
    fix,
  );
}

export async function checkArrivals(config: Config, client: S3Client, timeoutMs: number): Promise<CheckResult> {
  const { bucket } = config.s3;
  const events = config.arrivals.snsTopicArn !== undefined || config.arrivals.eventsToken !== undefined;
  const topicRegion = parseTopicArn(config.arrivals.snsTopicArn ?? '')?.region;
  if (topicRegion !== undefined && topicRegion !== config.s3.region) {
    return check(
      'arrivals',
      'fail',
      `S3_EVENTS_SNS_TOPIC_ARN is in ${topicRegion}, but S3 only notifies topics in the bucket's region (${config.s3.region})`,
    );
  }
  // Socket Mode, or no events: polling (or nothing) decides; the configuration only shapes the commands printed.
  if (config.slack.appToken !== undefined) return noEvents(config, {});
  let existing: Notifications;
  try {
    const { $metadata: _, ...answer } = await client.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
      {
        abortSignal: AbortSignal.timeout(timeoutMs),
      },
    );
    existing = answer;
  } catch (error) {
    const failure = s3Failure(error);
    if (!events) return noEvents(config, {});
    if (failure.status === undefined)
      return check('arrivals', 'fail', unreachable(config, error), [networkHint(config)]);
    const summary = `Could not read bucket ${bucket}'s notification configuration (HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''})`;
    const hint = failure.status === 403 ? ['Allow s3:GetBucketNotification for this check.'] : [];
    return check('arrivals', 'fail', summary, hint);
  }
  return arrivalVerdict(config, existing);
}
