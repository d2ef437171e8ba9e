/** 5. The bucket's CORS for the partner page's origin, and the exact JSON to apply when it is missing. */
import { type CORSRule, GetBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { sseHeaders } from '../aws/sse.js';
import type { Config } from '../config.js';
import { networkHint, s3Failure, unreachable } from './region.js';
import { check, formatRulesDocument, safeUrl } from './shared.js';
import type { CheckResult, CorsDocument, CorsRuleJson } from './types.js';

/** An S3 CORS pattern (at most one `*`, any run of characters) against a value. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** What the page's browser upload needs: a PUT from the page's origin with the headers the bot signs (a preflight). */
const PAGE_METHOD = 'PUT';
/**
 * Every header the page sends with a PUT (single or part): the type and disposition the link fixes, the body's MD5,
 * `If-None-Match` for single-use links, and the encryption headers when S3_SSE is set.
 */
export function pageHeaders(config: Pick<Config, 's3'>): string[] {
  const sse = Object.keys(sseHeaders(config.s3.sse));
  return ['content-type', 'content-md5', 'content-disposition', 'if-none-match', ...sse];
}

export type CorsVerdict =
  | { readonly ok: true; readonly rule: number }
  | { readonly ok: false; readonly reason: 'no-rule' | 'headers' | 'etag'; readonly rule?: number };

/**
 * Whether S3 lets the page upload from `origin`, read as S3 reads its rules: the first rule whose origin, method
 * and requested headers all match is the one applied (and its ExposeHeaders are the ones the browser sees).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html#cors-eval-criteria
 */
export function evaluateCors(
  rules: readonly CORSRule[],
  origin: string,
  headers: readonly string[] = ['content-type'],
): CorsVerdict {
  let originAndMethod: number | undefined;
  for (const [index, rule] of rules.entries()) {
    const originOk = (rule.AllowedOrigins ?? []).some((pattern) => wildcardMatch(pattern, origin, false));
    const methodOk = (rule.AllowedMethods ?? []).some((method) => method.toUpperCase() === PAGE_METHOD);
    if (!originOk || !methodOk) continue;
    originAndMethod ??= index;
    const headersOk = headers.every((header) =>
      (rule.AllowedHeaders ?? []).some((pattern) => wildcardMatch(pattern, header, true)),
    );
    if (!headersOk) continue;
    const exposesEtag = (rule.ExposeHeaders ?? []).some((header) => header.toLowerCase() === 'etag');
    return exposesEtag ? { ok: true, rule: index } : { ok: false, reason: 'etag', rule: index };
  }
  return originAndMethod === undefined
    ? { ok: false, reason: 'no-rule' }
    : { ok: false, reason: 'headers', rule: originAndMethod };
}

/**
 * The rule the page needs. PUT only: the page never reads from S3 (the bot confirms arrivals with HeadObject, from
 * the server, where CORS does not apply). ETag exposed so the page can read what S3 stored (pitfall 8).
 */
export function pageCorsRule(origin: string, headers: readonly string[] = ['content-type']): CorsRuleJson {
  return {
    AllowedOrigins: [origin],
    AllowedMethods: [PAGE_METHOD],
    AllowedHeaders: [...headers],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  };
}

/** The document as JSON to save, one rule field a line (arrays stay on their line, as in the AWS docs). */
export const formatCorsDocument = (document: CorsDocument): string =>
  formatRulesDocument('CORSRules', document.CORSRules);

/** The SDK's rule → the CLI's JSON (same names), without empty fields. */
function ruleJson(rule: CORSRule): CorsRuleJson {
  return {
    ...(rule.ID === undefined ? {} : { ID: rule.ID }),
    AllowedOrigins: rule.AllowedOrigins ?? [],
    AllowedMethods: rule.AllowedMethods ?? [],
    ...(rule.AllowedHeaders?.length ? { AllowedHeaders: rule.AllowedHeaders } : {}),
    ...(rule.ExposeHeaders?.length ? { ExposeHeaders: rule.ExposeHeaders } : {}),
    ...(rule.MaxAgeSeconds === undefined ? {} : { MaxAgeSeconds: rule.MaxAgeSeconds }),
  };
}

/**
 * The document to apply: the page's rule first (so it is the first match for the page's origin, whatever else is
 * there), then the rules the bucket has now, since put-bucket-cors replaces the whole configuration.
 */
export function corsDocument(
  origin: string,
  existing: readonly CORSRule[],
  headers: readonly string[] = ['content-type'],
): CorsDocument {
  return { CORSRules: [pageCorsRule(origin, headers), ...existing.map(ruleJson)] };
}

export function putBucketCorsCommand(config: Pick<Config, 's3'>): string {
  const endpoint =
    config.s3.endpoint === undefined ? '' : ` --endpoint-url ${safeUrl(config.s3.endpoint).replace(/\/$/, '')}`;
  return `aws s3api put-bucket-cors --bucket ${config.s3.bucket} --cors-configuration file://cors.json${endpoint}`;
}

function corsFixDetails(document: CorsDocument, command: string, existing: number): string[] {
  return [
    'Save this as cors.json:',
    ...formatCorsDocument(document).split('\n'),
    'and apply it:',
    command,
    existing > 0
      ? `(put-bucket-cors replaces the bucket's CORS configuration; the ${existing} rule${existing === 1 ? '' : 's'} it has now ${existing === 1 ? 'is' : 'are'} kept in cors.json after the new one.)`
      : "(put-bucket-cors replaces the bucket's CORS configuration; it has none now.)",
  ];
}

export interface CorsOutcome {
  readonly result: CheckResult;
  readonly fix?: { readonly document: CorsDocument; readonly command: string };
}

export async function checkCors(config: Config, client: S3Client, timeoutMs: number): Promise<CorsOutcome> {
  if (config.publicUrl === undefined) {
    return { result: check('cors', 'warn', 'PUBLIC_URL not set: partner page off, CORS not needed') };
  }
  const origin = new URL(config.publicUrl).origin;
  const { bucket } = config.s3;
  const command = putBucketCorsCommand(config);
  const headers = pageHeaders(config);
  let rules: readonly CORSRule[];
  try {
    const answer = await client.send(new GetBucketCorsCommand({ Bucket: bucket }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    rules = answer.CORSRules ?? [];
  } catch (error) {
    const failure = s3Failure(error);
    if (failure.code === 'NoSuchCORSConfiguration' || (failure.status === 404 && failure.code !== 'NoSuchBucket')) {
      rules = [];
    } else if (failure.status === 403) {
      const document = corsDocument(origin, [], headers);
      return {
        result: check(
          'cors',
          'warn',
          `Could not read bucket ${bucket}'s CORS configuration: S3 refused GetBucketCors (403)`,
          [
            `The credentials lack s3:GetBucketCORS on arn:aws:s3:::${bucket}, which only this check needs.`,
            `If the bucket has no rule for ${origin} yet, the partner page's uploads are blocked by browsers. The rule it needs:`,
            ...formatCorsDocument(document).split('\n'),
            `Apply with: ${command}`,
            '(put-bucket-cors replaces the whole configuration: merge in any rules the bucket already has.)',
          ],
        ),
      };
    } else if (failure.status === undefined) {
      return { result: check('cors', 'fail', unreachable(config, error), [networkHint(config)]) };
    } else {
      return {
        result: check(
          'cors',
          'fail',
          `S3 answered GetBucketCors for ${bucket} with HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''}`,
        ),
      };
    }
  }
  const verdict = evaluateCors(rules, origin, headers);
  if (verdict.ok) {
    return {
      result: check(
        'cors',
        'pass',
        `bucket ${bucket} lets the partner page (${origin}) upload with PUT and exposes ETag`,
      ),
    };
  }
  const problem = {
    'no-rule':
      rules.length === 0
        ? `bucket ${bucket} has no CORS configuration, so browsers block the partner page's uploads from ${origin}`
        : `no rule of bucket ${bucket} allows PUT from ${origin}, so browsers block the partner page's uploads`,
    headers: `bucket ${bucket}'s rule for ${origin} does not allow every header the partner page sends (${headers.join(', ')})`,
    etag: `bucket ${bucket}'s rule for ${origin} does not expose the ETag header`,
  }[verdict.reason];
  const document = corsDocument(origin, rules, headers);
  return {
    result: check('cors', 'fail', problem, corsFixDetails(document, command, rules.length)),
    fix: { document, command },
  };
}
