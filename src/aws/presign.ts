/**
 * A fast path for pre-signed S3 PUT URLs that produces, byte for byte, what
 * `getSignedUrl(client, new PutObjectCommand({ Bucket, Key }), { expiresIn, signingDate })` produces.
 *
 * Why: `getSignedUrl` clones and resolves the client's whole middleware stack, resolves the endpoint and serialises
 * the command on every call (≈ 3k URLs/s here); the signature itself is a small part of that. For a fixed client and
 * bucket everything except the key, the clock, the expiry and the credentials is the same on every call, so it is
 * worked out once — by letting the SDK itself build a request for a probe key — and each call only puts the key into
 * the path and hands the request to the same signer `getSignedUrl` uses (`S3RequestPresigner`, built once here
 * instead of per call), with the same options.
 *
 * Nothing is guessed: before the fast path is used, its URLs for a few awkward keys are compared with the SDK's; any
 * difference, or any configuration not covered below, means every URL comes from plain `getSignedUrl`.
 *
 * Covered: plain bucket names in any region and partition (aws, aws-cn, aws-us-gov, …), the AWS endpoint the
 * configuration resolves to (regional; FIPS and dual-stack from the environment), custom endpoints (http/https, any
 * port, with a base path, from S3_ENDPOINT or AWS_ENDPOINT_URL_S3), path-style and virtual-hosted addressing
 * (including the SDK's own switch to path-style for bucket names with dots), static, refreshing and session-token
 * credentials. test/presign.test.ts compares these with `getSignedUrl` byte for byte.
 * Falls back to `getSignedUrl`:
 * - for the whole signer: bucket ARNs (access points, Object Lambda, Outposts, Multi-Region Access Points) and
 *   S3 Express directory buckets (`--x-s3`, `--xa-s3`: they sign with per-bucket session credentials from
 *   CreateSession); any endpoint whose auth scheme is not plain SigV4 (e.g. SigV4a); any request the probe shows
 *   to carry a body, a fragment, user info or a path the key cannot simply be appended to; a failed self-check;
 * - per call: an empty key, an expiry that is not a whole number of seconds in 1..604800, an invalid date — so the
 *   SDK's own result or error comes back unchanged.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import type {
  AwsCredentialIdentity,
  FinalizeHandler,
  FinalizeHandlerArguments,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  HttpRequest,
  MetadataBearer,
} from '@aws-sdk/types';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { type ServerSideEncryption, sseParams } from './sse.js';

export interface PutUrlPresigner {
  /** 'template' when URLs come from the fast path, 'sdk' when every URL comes from `getSignedUrl`. */
  readonly path: 'template' | 'sdk';
  /** Why the fast path is not used, when it is not. */
  readonly fallbackReason: string | undefined;
  presign(key: string, expiresInSeconds: number, signingDate: Date): Promise<string>;
}

export interface PresignerSource {
  /** The client that signs: its configuration, signer parts and credential provider are used as they are. */
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * Builds a client configured exactly like `client` but with the given static credentials. The probe and the
   * self-check run on it, so they never wait on, fail with, or refresh the real credentials.
   */
  readonly createProbeClient: (credentials: AwsCredentialIdentity) => S3Client;
  /** Encryption headers signed into every URL (S3_SSE); the template carries them like any other header. */
  readonly sse?: ServerSideEncryption | undefined;
}

/** SigV4 query signatures last at most a week (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html). */
const MAX_EXPIRES_SECONDS = 604_800;

const PROBE_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIDUPLOADLINKPROBE',
  secretAccessKey: 'upload-link-probe-secret',
  sessionToken: 'upload-link/probe+token=',
};
const PROBE_KEY = 'upload-link-probe';
const PROBE_EXPIRES_IN = 900;
const PROBE_DATE = new Date('2024-02-29T23:59:59.000Z');
/** Keys and expiries the self-check signs both ways; together they exercise every branch of the key encoding. */
const SELF_CHECK: readonly (readonly [key: string, expiresIn: number])[] = [
  [`//a b/+=&?#%~!*'()[]{};:@$,"<>\\^|\`/./../ü/u\u0308/🚀//`, MAX_EXPIRES_SECONDS],
  ['.', 1],
  ['../x', 3600],
];

/**
 * Headers left out of the template: those `getSignedUrl` strips before presigning (s3-request-presigner
 * `presignInterceptMiddleware`), and two that can never reach the URL — `user-agent` is never signed
 * (@smithy/signature-v4 ALWAYS_UNSIGNABLE_HEADERS), `content-type` is made unsignable by `S3RequestPresigner`, and
 * neither is hoisted into the query (only `x-amz-*` is). Carrying them would only cost time on every call.
 */
const LEFT_OUT_HEADERS = new Set([
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amz-user-agent',
  'user-agent',
  'content-type',
]);

export async function createPutUrlPresigner(source: PresignerSource): Promise<PutUrlPresigner> {
  const sdk = sdkPresigner(source.client, source.bucket, source.sse);
  let reason: string | undefined;
  try {
    reason = unsupportedBucket(source.bucket);
    if (reason === undefined) {
      const probed = await probeTemplate(source);
      if (typeof probed === 'string') {
        reason = probed;
      } else {
        return templatePresigner(source.client, probed, sdk);
      }
    }
  } catch (error) {
    reason = `probe failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { path: 'sdk', fallbackReason: reason, presign: sdk };
}

type Presign = (key: string, expiresInSeconds: number, signingDate: Date) => Promise<string>;

function sdkPresigner(client: S3Client, bucket: string, sse?: ServerSideEncryption): Presign {
  return (key, expiresIn, signingDate) =>
    getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ...sseParams(sse) }), {
      expiresIn,
      signingDate,
    });
}

function unsupportedBucket(bucket: string): string | undefined {
  if (bucket.includes(':')) return 'the bucket is an ARN';
  if (/--xa?-s3$/.test(bucket)) return 'the bucket is an S3 Express directory bucket';
  if (bucket === '') return 'no bucket';
  return undefined;
}

/** What the SDK would send for any key, resolved once: everything but the path's key part. */
interface RequestTemplate {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  /** The path up to and including the `/` before the key. */
  readonly pathPrefix: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** As `getSignedUrl` works them out: the auth scheme's region, and the context's signing region and service. */
  readonly presignerRegion: string;
  readonly presignerSigningName: string | undefined;
  readonly signingRegion: string;
  readonly signingService: string | undefined;
}

interface Captured {
  request: HttpRequest;
  context: HandlerExecutionContext;
}

/**
 * Lets the SDK presign a probe key on a probe client, capturing the request and context right where
 * `getSignedUrl`'s own interceptor receives them (just before the auth middleware), then checks the fast path
 * against `getSignedUrl` for a few keys. Returns the template, or why the fast path cannot be used.
 */
async function probeTemplate(source: PresignerSource): Promise<RequestTemplate | string> {
  const probeClient = source.createProbeClient(PROBE_CREDENTIALS);
  try {
    let captured: Captured | undefined;
    const capture: FinalizeRequestMiddleware<object, MetadataBearer> =
      (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
      (args: FinalizeHandlerArguments<object>) => {
        captured ??= { request: structuredClone(args.request) as HttpRequest, context };
        return next(args);
      };
    probeClient.middlewareStack.addRelativeTo(capture, {
      name: 'uploadLinkProbeCapture',
      relation: 'before',
      toMiddleware: 'awsAuthMiddleware',
    });
    const sdk = sdkPresigner(probeClient, source.bucket, source.sse);
    const expected = await sdk(PROBE_KEY, PROBE_EXPIRES_IN, PROBE_DATE);
    if (captured === undefined) return 'the probe saw no request before signing';

    const template = templateFrom(captured);
    if (typeof template === 'string') return template;

    const fast = templatePresigner(probeClient, template, sdk);
    for (const [key, expiresIn] of [[PROBE_KEY, PROBE_EXPIRES_IN] as const, ...SELF_CHECK]) {
      const want = key === PROBE_KEY ? expected : await sdk(key, expiresIn, PROBE_DATE);
      if ((await fast.presign(key, expiresIn, PROBE_DATE)) !== want)
        return `self-check differs from getSignedUrl for key ${JSON.stringify(key)}`;
    }
    return template;
  } finally {
    probeClient.destroy();
  }
}

function templateFrom({ request, context }: Captured): RequestTemplate | string {
  const endpoint = context.endpointV2;
  const authScheme = endpoint?.properties?.authSchemes?.[0] as
    | { name?: string; signingName?: string; signingRegion?: string }
    | undefined;
  if (endpoint?.properties?.backend === 'S3Express' || (context as { s3ExpressIdentity?: unknown }).s3ExpressIdentity)
    return 'the endpoint is S3 Express';
  if (authScheme?.name !== 'sigv4' || authScheme.signingRegion === undefined)
    return `the endpoint's auth scheme is ${authScheme?.name ?? 'unknown'}, not SigV4 with a region`;
  const signingRegion = (context as { signing_region?: string }).signing_region ?? authScheme.signingRegion;
  const signingService = (context as { signing_service?: string }).signing_service;

  if (request.method !== 'PUT') return `the probe request is a ${request.method}`;
  if (request.body !== undefined && request.body !== null) return 'the probe request has a body';
  if (request.fragment || request.username != null || request.password != null)
    return 'the probe request has a fragment or user info';
  const suffix = `/${PROBE_KEY}`;
  if (!request.path.endsWith(suffix)) return 'the probe key is not at the end of the path';
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (typeof value !== 'string') return `the probe query parameter ${name} is not a single string`;
    query[name] = value;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!LEFT_OUT_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  return {
    protocol: request.protocol,
    hostname: request.hostname,
    port: request.port,
    pathPrefix: request.path.slice(0, -PROBE_KEY.length),
    query,
    headers,
    presignerRegion: authScheme.signingRegion,
    presignerSigningName: authScheme.signingName,
    signingRegion,
    signingService,
  };
}

function templatePresigner(client: S3Client, t: RequestTemplate, sdk: Presign): PutUrlPresigner {
  // Built exactly as `getSignedUrl` builds it per call, from the client's resolved configuration (its sha256,
  // credential provider, uriEscapePath …), with the region and signing name of the bucket's endpoint.
  const signer = new S3RequestPresigner({
    ...(client.config as unknown as ConstructorParameters<typeof S3RequestPresigner>[0]),
    signingName: t.presignerSigningName,
    region: async () => t.presignerRegion,
  });
  const { protocol, hostname, port, pathPrefix, query, headers, signingRegion, signingService } = t;
  return {
    path: 'template',
    fallbackReason: undefined,
    async presign(key, expiresIn, signingDate) {
      if (
        key === '' ||
        !Number.isInteger(expiresIn) ||
        expiresIn < 1 ||
        expiresIn > MAX_EXPIRES_SECONDS ||
        Number.isNaN(signingDate.getTime())
      ) {
        return sdk(key, expiresIn, signingDate);
      }
      const request: HttpRequest = {
        method: 'PUT',
        protocol,
        hostname,
        port,
        path: pathPrefix + encodeKey(key),
        query: { ...query },
        headers: { ...headers },
      };
      const presigned = await signer.presign(request, { expiresIn, signingDate, signingRegion, signingService });
      return formatUrl(presigned);
    },
  };
}

/**
 * The key as the SDK puts a greedy `{Key+}` label into the path: each `/`-separated segment encoded with the SDK's
 * own `extendedEncodeURIComponent`, the slashes kept (@smithy/core requestBuilder). Keys of only unreserved
 * characters and slashes, the common case, come out as they are.
 */
function encodeKey(key: string): string {
  if (/^[\w.~/-]*$/.test(key)) return key;
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}
