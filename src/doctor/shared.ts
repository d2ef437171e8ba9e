/** Helpers every check uses: making a result, the values never to print, URLs safe to show. */
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { errorMessage } from '../lib/errors.js';
import type { CheckName, CheckResult, CheckStatus } from './types.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Where the probe and the write test go, under UPLOAD_PREFIX but apart from every channel's keys. */
export const PROBE_FOLDER = '.upload-link-doctor/';
/** The probe URL is only used at once (by the write test, if at all). */
export const PROBE_EXPIRY_SECONDS = 300;

export const SYMBOLS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '–' };

export const message = errorMessage;

/** `20250102T030405Z`: sorts by time, and has nothing a URL or a shell would need to escape. */
export const timestamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export const check = (name: CheckName, status: CheckStatus, summary: string, details: readonly string[] = []) =>
  ({ name, status, summary, details }) satisfies CheckResult;

/** The values that must never be printed, from the environment and from the credentials the chain found. */
export function secretsOf(env: Readonly<Record<string, string | undefined>>, credentials?: AwsCredentialIdentity) {
  return [
    env.SLACK_BOT_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.SLACK_APP_TOKEN,
    env.S3_EVENTS_TOKEN,
    env.AWS_ACCESS_KEY_ID,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    credentials?.accessKeyId,
    credentials?.secretAccessKey,
    credentials?.sessionToken,
  ]
    .map((value) => value?.trim())
    .filter((value): value is string => value !== undefined && value !== '');
}

/** A URL for a message: no user info, no query (a signed URL's query is its signature), no lone trailing `/`. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** `{"<key>": [rules]}` as JSON to save, one rule field a line (arrays and objects stay on their line, as in the AWS docs). */
export function formatRulesDocument(key: string, rules: readonly object[]): string {
  const lines = rules.map(
    (rule) =>
      `    {\n${Object.entries(rule)
        .map(([field, value]) => `      ${JSON.stringify(field)}: ${JSON.stringify(value).replace(/","/g, '", "')}`)
        .join(',\n')}\n    }`,
  );
  return `{\n  ${JSON.stringify(key)}: [\n${lines.join(',\n')}\n  ]\n}`;
}
