/**
 * An Amazon SNS topic ARN and the host that serves its signing certificates and subscription confirmations
 * (`sns.<region>.amazonaws.com`, `.com.cn` in China): the only host `POST /s3/events` ever trusts or calls.
 * Kept apart from sns.ts so the configuration can check the ARN without loading the validator.
 */

export interface SnsTopic {
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly host: string;
}

const PARTITION_DOMAINS: Record<string, string> = {
  aws: 'amazonaws.com',
  'aws-us-gov': 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
};

/** `arn:<partition>:sns:<region>:<account>:<name>`, or undefined for anything else. */
export function parseTopicArn(arn: string): SnsTopic | undefined {
  const parts = arn.split(':');
  const [prefix, partition = '', service, region = '', account = '', name = ''] = parts;
  const domain = PARTITION_DOMAINS[partition];
  if (
    parts.length !== 6 ||
    prefix !== 'arn' ||
    service !== 'sns' ||
    domain === undefined ||
    !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ||
    !/^\d{12}$/.test(account) ||
    !/^[A-Za-z0-9_-]{1,256}$/.test(name)
  ) {
    return undefined;
  }
  return { arn, region, account, name, host: `sns.${region}.${domain}` };
}
