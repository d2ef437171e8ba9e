/**
 * 6. The bucket's lifecycle rule that aborts incomplete multipart uploads under UPLOAD_PREFIX: the safety net behind
 * the bot's own sweep (which aborts the uploads of links that close). A partner who walks away mid-upload leaves
 * parts that cost money until they are aborted. https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html
 */
import { GetBucketLifecycleConfigurationCommand, type LifecycleRule, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { networkHint, s3Failure, unreachable } from './region.js';
import { check, formatRulesDocument, safeUrl } from './shared.js';
import type { CheckResult } from './types.js';

/** Parts left this long are given up: a week covers a long upload resumed days later. */
export const ABORT_AFTER_DAYS = 7;

export interface LifecycleRuleJson {
  readonly ID?: string;
  readonly Status: string;
  readonly Filter?: Record<string, unknown>;
  readonly AbortIncompleteMultipartUpload?: { readonly DaysAfterInitiation?: number };
  readonly [field: string]: unknown;
}

export interface LifecycleDocument {
  readonly Rules: readonly LifecycleRuleJson[];
}

export function abortRule(prefix: string): LifecycleRuleJson {
  return {
    ID: 'upload-link-abort-incomplete-multipart-uploads',
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_AFTER_DAYS },
  };
}

/** The prefix a rule applies to: '' for every key; undefined when it also filters by tags (uploads have none). */
function rulePrefix(rule: LifecycleRule): string | undefined {
  const filter = rule.Filter;
  if (filter?.Tag !== undefined || (filter?.And?.Tags?.length ?? 0) > 0) return undefined;
  return filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix ?? '';
}

/** The first enabled rule that aborts incomplete multipart uploads for every key under `prefix`, if any. */
export function abortingRule(rules: readonly LifecycleRule[], prefix: string): LifecycleRule | undefined {
  return rules.find((rule) => {
    const covers = rulePrefix(rule);
    return (
      rule.Status === 'Enabled' &&
      rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined &&
      covers !== undefined &&
      prefix.startsWith(covers)
    );
  });
}

export function putLifecycleCommand(config: Pick<Config, 's3'>): string {
  const endpoint =
    config.s3.endpoint === undefined ? '' : ` --endpoint-url ${safeUrl(config.s3.endpoint).replace(/\/$/, '')}`;
  return `aws s3api put-bucket-lifecycle-configuration --bucket ${config.s3.bucket} --lifecycle-configuration file://lifecycle.json${endpoint}`;
}

function fixDetails(config: Config, existing: readonly LifecycleRule[]): string[] {
  const document: LifecycleDocument = {
    Rules: [abortRule(config.uploadPrefix), ...existing.map((rule) => rule as unknown as LifecycleRuleJson)],
  };
  return [
    'Save this as lifecycle.json:',
    ...formatRulesDocument('Rules', document.Rules).split('\n'),
    'and apply it:',
    putLifecycleCommand(config),
    existing.length > 0
      ? `(put-bucket-lifecycle-configuration replaces the whole configuration; the ${existing.length} rule(s) it has now are kept after the new one.)`
      : '(The bucket has no lifecycle configuration now.)',
  ];
}

async function bucketRules(
  config: Config,
  client: S3Client,
  timeoutMs: number,
): Promise<{ rules: LifecycleRule[] } | { error: unknown; failure: ReturnType<typeof s3Failure> }> {
  try {
    const answer = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: config.s3.bucket }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    return { rules: answer.Rules ?? [] };
  } catch (error) {
    const failure = s3Failure(error);
    if (failure.code === 'NoSuchLifecycleConfiguration') return { rules: [] };
    return { error, failure };
  }
}

export async function checkLifecycle(config: Config, client: S3Client, timeoutMs: number): Promise<CheckResult> {
  if (config.publicUrl === undefined) {
    return check('lifecycle', 'warn', 'PUBLIC_URL not set: no partner page, so no multipart uploads to clean up');
  }
  const { bucket } = config.s3;
  const prefix = config.uploadPrefix;
  const found = await bucketRules(config, client, timeoutMs);
  if ('error' in found) {
    if (found.failure.status === undefined) {
      return check('lifecycle', 'fail', unreachable(config, found.error), [networkHint(config)]);
    }
    return check(
      'lifecycle',
      'warn',
      `Could not read bucket ${bucket}'s lifecycle rules (HTTP ${found.failure.status})`,
      [
        `The credentials lack s3:GetLifecycleConfiguration on arn:aws:s3:::${bucket}, which only this check needs. Make sure a rule aborts incomplete multipart uploads:`,
        ...fixDetails(config, []),
      ],
    );
  }
  const rule = abortingRule(found.rules, prefix);
  if (rule !== undefined) {
    const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    return check(
      'lifecycle',
      'pass',
      `bucket ${bucket} aborts multipart uploads under ${prefix} left for ${days} days`,
    );
  }
  return check(
    'lifecycle',
    'warn',
    `no rule of bucket ${bucket} aborts incomplete multipart uploads under ${prefix}: parts a partner leaves behind are kept (and billed) until someone aborts them`,
    [
      'The bot aborts the uploads of links that are revoked or expire; this rule catches everything else.',
      ...fixDetails(config, found.rules),
    ],
  );
}
