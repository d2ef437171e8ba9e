/**
 * The fast path in src/presign.ts must give, byte for byte, what
 * `getSignedUrl(client, new PutObjectCommand({ Bucket, Key }), { expiresIn, signingDate })` gives for the same client
 * (made by `createS3Client`, exactly as the signer makes it), inputs and clock — or fail the same way.
 * Every comparison also checks that the fast path was really taken, so a silent fallback cannot pass for equality.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createPutUrlPresigner, type PutUrlPresigner } from '../../src/aws/presign.js';
import { createS3Client, createS3Signer, type S3Target } from '../../src/aws/signer.js';

/** Counts every getSignedUrl call, the fast path's own fallbacks included, so a test can tell which path signed. */
const sdkCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('@aws-sdk/s3-request-presigner', async (importOriginal) => {
  const original = await importOriginal<typeof import('@aws-sdk/s3-request-presigner')>();
  return {
    ...original,
    getSignedUrl: (...args: Parameters<typeof original.getSignedUrl>) => {
      sdkCalls.count++;
      return original.getSignedUrl(...args);
    },
  };
});

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'cn-north-1', 'us-gov-west-1'] as const;
const ENDPOINTS = [
  undefined,
  'http://localhost:4566',
  'http://127.0.0.1:9000/base',
  'https://minio.example.com',
  'https://minio.example.com:8443/s3/',
  'https://storage.example.com:443',
  'http://s3.internal/a/b',
] as const;
const BUCKETS = ['upload-link-test', 'my.dotted.bucket', 'abc', `b${'x'.repeat(61)}z`, 'a-b.c-d.e'] as const;

const STATIC: AwsCredentialIdentity = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const SESSION: AwsCredentialIdentity = {
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEH0aCXVzLWVhc3QtMSJHMEUCIQ+/7=FwoGZXIvYXdzEBYaDHR5cGljYWwgdG9rZW4==',
  expiration: new Date('2100-01-01T00:00:00Z'),
};

interface Setup {
  readonly target: S3Target;
  readonly credentials: AwsCredentialIdentity;
  /** Environment the SDK reads while the clients are made and used (FIPS, dual-stack, service endpoint). */
  readonly env?: Readonly<Record<string, string>>;
}

interface Prepared {
  readonly client: S3Client;
  readonly presigner: PutUrlPresigner;
}

const clients: S3Client[] = [];
afterAll(() => {
  for (const client of clients) client.destroy();
});

function clientFor({ target, credentials }: Setup): S3Client {
  // A copy each: the SDK marks the credentials objects it is given (`$source`).
  const client = createS3Client({ target, credentials: { ...credentials } });
  clients.push(client);
  return client;
}

async function prepare(setup: Setup): Promise<Prepared> {
  const client = clientFor(setup);
  const presigner = await createPutUrlPresigner({
    client,
    bucket: setup.target.bucket,
    createProbeClient: (credentials) => createS3Client({ target: setup.target, credentials }),
  });
  return { client, presigner };
}

/** Prepared once per setup: building the template costs a few getSignedUrl calls. */
const cache = new Map<string, Promise<Prepared>>();
const prepared = (setup: Setup): Promise<Prepared> => {
  const { accessKeyId, secretAccessKey, sessionToken } = setup.credentials;
  const id = JSON.stringify([setup.target, accessKeyId, secretAccessKey, sessionToken, setup.env]);
  let entry = cache.get(id);
  if (entry === undefined) {
    entry = prepare(setup);
    cache.set(id, entry);
  }
  return entry;
};

type Outcome = { url: string } | { error: string };

async function outcome(sign: () => Promise<string>): Promise<Outcome> {
  try {
    return { url: await sign() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

function sdkUrl(client: S3Client, bucket: string, key: string, expiresIn: number, signingDate: Date): Promise<string> {
  return getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate });
}

/** Both ways for the same inputs and clock: the fast path's outcome and the SDK's. */
async function bothWays(setup: Setup, key: string, expiresIn: number, signingDate: Date) {
  for (const [name, value] of Object.entries(setup.env ?? {})) vi.stubEnv(name, value);
  try {
    const { client, presigner } = await prepared(setup);
    const fast = await outcome(() => presigner.presign(key, expiresIn, new Date(signingDate)));
    const sdk = await outcome(() => sdkUrl(client, setup.target.bucket, key, expiresIn, new Date(signingDate)));
    return { fast, sdk, path: presigner.path, fallbackReason: presigner.fallbackReason };
  } finally {
    vi.unstubAllEnvs();
  }
}

const target = (
  region: string,
  endpoint: string | undefined,
  forcePathStyle: boolean,
  bucket: string = BUCKETS[0],
): S3Target => ({ bucket, region, endpoint, forcePathStyle });

// --- arbitraries -------------------------------------------------------------------------------------------------

const SPECIALS = [...`+=&?#%~!*'()[]{};:@$,"<>\\^|\``];
const keyPiece = fc.oneof(
  fc.constantFrom(...SPECIALS, '/', '//', '///', ' ', '  ', '.', '..', 'a', 'Z', '0', '-', '_', '%20', '%2F', '+'),
  fc.constantFrom('ü', 'u\u0308', 'Å', 'A\u030a', '報告', '🚀', '👩‍👩‍👧', '🏳️‍🌈', '\u00a0', '\u200b', '\ufeff', 'ﬁ'),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const normalised = (key: fc.Arbitrary<string>) =>
  fc
    .tuple(key, fc.constantFrom<'NFC' | 'NFD' | 'NFKD' | undefined>(undefined, 'NFC', 'NFD', 'NFKD'))
    .map(([k, form]) => (form === undefined ? k : k.normalize(form)));
const keyArb = normalised(
  fc.oneof(
    { weight: 5, arbitrary: fc.array(keyPiece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
    // Long keys: S3 allows 1024 UTF-8 bytes; the signer does not care, so neither do we.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.array(keyPiece, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1000, max: 1400 }))
        .map(([parts, length]) => parts.join('').padEnd(length, 'é/ x+')),
    },
  ),
);
const expiresArb = fc.integer({ min: 60, max: 604_800 });
const dateArb = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T23:59:59Z'),
  noInvalidDate: true,
});

/** A handful of setups the key property draws from (one of each kind of addressing), prepared once each. */
const KEY_SETUPS: readonly Setup[] = [
  { target: target('eu-west-1', undefined, false), credentials: STATIC },
  { target: target('us-east-1', undefined, true), credentials: SESSION },
  { target: target('ap-southeast-2', undefined, false, 'my.dotted.bucket'), credentials: STATIC },
  { target: target('cn-north-1', undefined, false), credentials: SESSION },
  { target: target('us-gov-west-1', undefined, true), credentials: STATIC },
  { target: target('us-east-1', 'http://127.0.0.1:9000/base', true), credentials: SESSION },
  { target: target('eu-west-1', 'https://minio.example.com:8443/s3/', false), credentials: STATIC },
  { target: target('us-east-1', 'http://localhost:4566', false, 'my.dotted.bucket'), credentials: SESSION },
];

const credentialsArb: fc.Arbitrary<AwsCredentialIdentity> = fc
  .record({
    accessKeyId: fc.stringMatching(/^A[SK]IA[A-Z0-9]{16}$/),
    secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{40}$/),
    sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9/+]{20,300}={0,2}$/), { nil: undefined }),
  })
  .map(({ sessionToken, ...rest }) => (sessionToken === undefined ? rest : { ...rest, sessionToken }));

const setupArb: fc.Arbitrary<Setup> = fc
  .record({
    region: fc.constantFrom(...REGIONS),
    endpoint: fc.constantFrom(...ENDPOINTS),
    forcePathStyle: fc.boolean(),
    bucket: fc.constantFrom(...BUCKETS),
    credentials: credentialsArb,
  })
  .map(({ region, endpoint, forcePathStyle, bucket, credentials }) => ({
    target: target(region, endpoint, forcePathStyle, bucket),
    credentials,
  }));

// --- tests -------------------------------------------------------------------------------------------------------

describe('fast presigned PUT URLs equal getSignedUrl byte for byte', () => {
  it('for arbitrary keys, expiries and clocks (Unicode, NFC/NFD, emoji, reserved characters, slash runs, long keys)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KEY_SETUPS),
        keyArb,
        expiresArb,
        dateArb,
        async (setup, key, expiresIn, signingDate) => {
          const { fast, sdk, path } = await bothWays(setup, key, expiresIn, signingDate);
          expect(path).toBe('template');
          expect(fast).toEqual(sdk);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for arbitrary regions, endpoints, addressing styles, bucket names and credentials', async () => {
    await fc.assert(
      fc.asyncProperty(
        setupArb,
        fc.array(fc.tuple(keyArb, expiresArb, dateArb), { minLength: 1, maxLength: 3 }),
        async (setup, calls) => {
          for (const [key, expiresIn, signingDate] of calls) {
            const { fast, sdk, path, fallbackReason } = await bothWays(setup, key, expiresIn, signingDate);
            expect({ path, fallbackReason }).toEqual({ path: 'template', fallbackReason: undefined });
            expect(fast).toEqual(sdk);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  const DATE = new Date('2025-03-09T02:30:00.000Z');
  const urlStarts = (o: Outcome) => ('url' in o ? o.url.slice(0, o.url.indexOf('?')) : o.error);
  it.each<
    [name: string, setup: Setup, key: string, expiresIn: number, path: 'template' | 'sdk', urlStart: string | RegExp]
  >([
    [
      'virtual-hosted, us-east-1',
      { target: target('us-east-1', undefined, false), credentials: STATIC },
      'uploads/C0ACME/2025-03-09/id/report.pdf',
      3600,
      'template',
      'https://upload-link-test.s3.us-east-1.amazonaws.com/uploads/C0ACME/2025-03-09/id/report.pdf',
    ],
    [
      'path-style forced',
      { target: target('eu-west-1', undefined, true), credentials: STATIC },
      'a b/c+d',
      60,
      'template',
      'https://s3.eu-west-1.amazonaws.com/upload-link-test/a%20b/c%2Bd',
    ],
    [
      'a dotted bucket over https goes path-style',
      { target: target('eu-west-1', undefined, false, 'my.dotted.bucket'), credentials: STATIC },
      'k',
      604_800,
      'template',
      'https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k',
    ],
    [
      'a dotted bucket on a custom endpoint goes path-style too, even over http',
      { target: target('us-east-1', 'http://localhost:4566', false, 'my.dotted.bucket'), credentials: STATIC },
      'k',
      60,
      'template',
      'http://localhost:4566/my.dotted.bucket/k',
    ],
    [
      'China partition',
      { target: target('cn-north-1', undefined, false), credentials: SESSION },
      'k',
      60,
      'template',
      'https://upload-link-test.s3.cn-north-1.amazonaws.com.cn/k',
    ],
    [
      'GovCloud',
      { target: target('us-gov-west-1', undefined, false), credentials: SESSION },
      'k',
      60,
      'template',
      'https://upload-link-test.s3.us-gov-west-1.amazonaws.com/k',
    ],
    [
      'custom endpoint with port and base path, path-style',
      { target: target('us-east-1', 'http://127.0.0.1:9000/base', true), credentials: STATIC },
      '//lead/slashes//and/trailing/',
      60,
      'template',
      'http://127.0.0.1:9000/base/upload-link-test///lead/slashes//and/trailing/',
    ],
    [
      'custom https endpoint with the default port written out',
      { target: target('us-east-1', 'https://storage.example.com:443', false), credentials: STATIC },
      'k',
      60,
      'template',
      'https://upload-link-test.storage.example.com/k',
    ],
    [
      'every reserved character',
      { target: target('eu-west-1', undefined, false), credentials: SESSION },
      `+ = & ? # % ~ ! * ' ( ) [ ] { } ; : @ $ , " < > \\ ^ | \``,
      3600,
      'template',
      'https://upload-link-test.s3.eu-west-1.amazonaws.com/%2B%20%3D%20%26%20%3F%20%23%20%25%20~%20%21%20%2A%20%27%20%28%20%29%20%5B%20%5D%20%7B%20%7D%20%3B%20%3A%20%40%20%24%20%2C%20%22%20%3C%20%3E%20%5C%20%5E%20%7C%20%60',
    ],
    [
      'NFC and NFD spell different keys',
      { target: target('eu-west-1', undefined, false), credentials: STATIC },
      'Übersicht/U\u0308bersicht 報告 🚀.xlsx',
      3600,
      'template',
      'https://upload-link-test.s3.eu-west-1.amazonaws.com/%C3%9Cbersicht/U%CC%88bersicht%20%E5%A0%B1%E5%91%8A%20%F0%9F%9A%80.xlsx',
    ],
    [
      'dot segments are not collapsed',
      { target: target('eu-west-1', undefined, false), credentials: STATIC },
      './a/../b/.',
      3600,
      'template',
      'https://upload-link-test.s3.eu-west-1.amazonaws.com/./a/../b/.',
    ],
    [
      'a 1200-byte key',
      { target: target('eu-west-1', undefined, false), credentials: STATIC },
      'ü'.repeat(600),
      3600,
      'template',
      `https://upload-link-test.s3.eu-west-1.amazonaws.com/${'%C3%BC'.repeat(600)}`,
    ],
    [
      'FIPS endpoints from the environment',
      { target: target('us-east-1', undefined, false), credentials: STATIC, env: { AWS_USE_FIPS_ENDPOINT: 'true' } },
      'k',
      60,
      'template',
      'https://upload-link-test.s3-fips.us-east-1.amazonaws.com/k',
    ],
    [
      'dual-stack endpoints from the environment',
      {
        target: target('eu-west-1', undefined, false),
        credentials: SESSION,
        env: { AWS_USE_DUALSTACK_ENDPOINT: 'true' },
      },
      'k',
      60,
      'template',
      'https://upload-link-test.s3.dualstack.eu-west-1.amazonaws.com/k',
    ],
    [
      'a service endpoint from the environment (AWS_ENDPOINT_URL_S3)',
      {
        target: target('us-east-1', undefined, false),
        credentials: STATIC,
        env: { AWS_ENDPOINT_URL_S3: 'http://10.0.0.1:9000' },
      },
      'k',
      60,
      'template',
      'http://10.0.0.1:9000/upload-link-test/k',
    ],
    // Per call, the SDK itself answers these (same result or same error).
    [
      'an empty key',
      { target: target('eu-west-1', undefined, false), credentials: STATIC },
      '',
      3600,
      'template',
      'https://upload-link-test.s3.eu-west-1.amazonaws.com/',
    ],
    [
      'a lone surrogate',
      { target: target('eu-west-1', undefined, false), credentials: STATIC },
      'a\ud800b',
      3600,
      'template',
      /^URIError/,
    ],
    [
      'an expiry over the SigV4 week',
      { target: target('eu-west-1', undefined, false), credentials: STATIC },
      'k',
      604_801,
      'template',
      /must have an expiration date less than one week/,
    ],
    // Whole configurations the fast path leaves to the SDK.
    [
      'an access point ARN as the bucket',
      {
        target: target('us-east-1', undefined, false, 'arn:aws:s3:us-east-1:123456789012:accesspoint/uploads'),
        credentials: STATIC,
      },
      'k',
      3600,
      'sdk',
      'https://uploads-123456789012.s3-accesspoint.us-east-1.amazonaws.com/k',
    ],
  ])('%s', async (_name, setup, key, expiresIn, path, urlStart) => {
    const result = await bothWays(setup, key, expiresIn, DATE);
    expect(result.path).toBe(path);
    expect(result.fast).toEqual(result.sdk);
    if (typeof urlStart === 'string') expect(urlStarts(result.fast)).toBe(urlStart);
    else expect(urlStarts(result.fast)).toMatch(urlStart);
  });

  it('leaves S3 Express directory buckets to the SDK without any network call', async () => {
    const setup = { target: target('us-east-1', undefined, false, 'uploads--use1-az4--x-s3'), credentials: STATIC };
    const { presigner } = await prepare(setup);
    expect(presigner.path).toBe('sdk');
    expect(presigner.fallbackReason).toMatch(/S3 Express/);
  });
});

describe('createS3Signer', () => {
  it('signs with the fast path (no getSignedUrl call) and gives the URL getSignedUrl gives', async () => {
    const setups: Setup[] = [
      { target: target('eu-west-1', undefined, false), credentials: SESSION },
      { target: target('us-east-1', 'http://127.0.0.1:9000', true), credentials: STATIC },
    ];
    for (const setup of setups) {
      const signer = createS3Signer({ target: setup.target, credentials: { ...setup.credentials } });
      await signer.warmUp();
      const client = clientFor(setup);
      await fc.assert(
        fc.asyncProperty(keyArb, expiresArb, async (key, expiresIn) => {
          const now = new Date();
          const before = sdkCalls.count;
          const signed = await signer.signUpload(key, expiresIn, now);
          expect(sdkCalls.count - before).toBe(key === '' ? 1 : 0);
          const sdk = await outcome(() => sdkUrl(client, setup.target.bucket, key, expiresIn, now));
          expect({ url: signed.url }).toEqual(sdk);
          expect(signed.requestedExpiresAt.getTime()).toBe(now.getTime() + expiresIn * 1000);
        }),
        { numRuns: 40 },
      );
    }
  });
});
