/** What a doctor run finds: one result per check, and the report the CLI prints. */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** `skip`: not run, because what it needs failed in another check (which says why, once). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type CheckName =
  | 'config'
  | 'slack'
  | 'region'
  | 'signing'
  | 'write-test'
  | 'cors'
  | 'lifecycle'
  | 'encryption'
  | 'arrivals';

/** The name each line starts with, so a reader knows which check it belongs to. */
export const CHECK_LABELS: Record<CheckName, string> = {
  config: 'Config',
  slack: 'Slack',
  region: 'Region',
  signing: 'Credentials',
  'write-test': 'Write test',
  cors: 'CORS',
  lifecycle: 'Lifecycle',
  encryption: 'Encryption',
  arrivals: 'Arrivals',
};

export interface CheckResult {
  readonly name: CheckName;
  readonly status: CheckStatus;
  /** The line after ✓ / ! / ✗. */
  readonly summary: string;
  /** What to do about it, and anything to copy (the CORS JSON); printed indented under the summary. */
  readonly details: readonly string[];
}

/** The CORS document `aws s3api put-bucket-cors --cors-configuration` takes. */
export interface CorsDocument {
  readonly CORSRules: readonly CorsRuleJson[];
}

export interface CorsRuleJson {
  readonly ID?: string;
  readonly AllowedOrigins: readonly string[];
  readonly AllowedMethods: readonly string[];
  readonly AllowedHeaders?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAgeSeconds?: number;
}

export interface DoctorReport {
  readonly checks: readonly CheckResult[];
  /** No check failed (warnings allowed): the CLI exits 0. */
  readonly ok: boolean;
  /** Set when the CORS check failed: the document to apply and the command that applies it. */
  readonly corsFix?: { readonly document: CorsDocument; readonly command: string };
  /** Set after `--write-test` uploaded its object. */
  readonly writtenKey?: string;
}

export interface DoctorOptions {
  /** PUT a small object through the signed URL (and leave it there). */
  readonly writeTest?: boolean;
  readonly now?: () => Date;
  /** For tests and tools; the bot itself (and the CLI) uses the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** How long one network call may take before it counts as unreachable. */
  readonly timeoutMs?: number;
}
