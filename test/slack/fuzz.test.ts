/**
 * Property-based fuzz of the whole command path over real HTTP: whatever the text, whoever asks, the bot answers
 * 200 with an ephemeral reply, and every key it signs stays under its channel's prefix and within 1024 bytes.
 * A quick run here; `npm run test:fuzz` runs FUZZ_RUNS (10 000) cases.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelPrefix } from '../../src/core/keys.js';
import { ADMIN, ALLOWED, STRANGER, startTestApp, type TestApp } from '../support/app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Pieces users and Slack really produce, to reach the interesting paths more often than random text would. */
const PIECES = [
  '<@U0BOB|bob>',
  '<@U0BOB>',
  '<#C0ACME|acme>',
  '<#C0OTHER|>',
  '<!subteam^S0TEAM|@team>',
  '<!here>',
  '<http://notes.md|notes.md>',
  '<mailto:a@b.co|a@b.co>',
  '<https://x.io>',
  '"',
  '“',
  '”',
  "'",
  '..',
  '../',
  '/',
  '\\',
  '\u0000',
  '\u202e',
  '\ud800',
  ' ',
  '\t',
  '2h',
  '45m',
  '10y',
  '9d',
  '0m',
  '1.5h',
  '2 weeks',
  'help',
  'allow',
  'disallow',
  'access',
  'admins',
  'add',
  'remove',
  'settings',
  'audit',
  'everywhere',
  'prefix=',
  'prefix=a/',
  'prefix=/x/',
  'max-expiry=',
  'default-expiry=3d',
  '&amp;',
  '&lt;',
  '&gt;',
  '%2F',
  '.pdf',
  'report',
  'é',
  'e\u0301',
  '🚀',
  '👨‍👩‍👧',
  'x'.repeat(300),
  '日本語'.repeat(60),
];

const commandText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((parts) => parts.join(' ')),
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 10 }).map((p) => p.join('')),
);

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

describe('fuzzing /upload-link over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`never fails, never answers 5xx, keeps every key under its channel prefix (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        commandText,
        fc.constantFrom(ADMIN, ALLOWED, STRANGER),
        fc.constantFrom('C0ACME', 'C0OTHER', 'D0DIRECT'),
        async (text, user, channel) => {
          const reply = await app.command({ text, user_id: user, channel_id: channel });
          expect(reply.status).toBe(200);
          expect(reply.json?.response_type).toBe('ephemeral');
          expect(typeof reply.json?.text).toBe('string');
          expect(String(reply.json?.text)).not.toBe('');
          expect(String(reply.json?.text)).not.toContain('Something went wrong');
          const url = /https?:\/\/[^\s"'\\]+X-Amz-Signature=[0-9a-f]+/.exec(reply.body)?.[0];
          if (url === undefined) return;
          const key = decodeURIComponent(new URL(url).pathname.replace(`/${app.s3.bucket}/`, ''));
          const stored = await app.store.settings.get(channel);
          const prefix = stored?.keyPrefix ?? channelPrefix(app.config.uploadPrefix, channel);
          expect(key.startsWith(prefix)).toBe(true);
          expect(utf8Bytes(key)).toBeLessThanOrEqual(1024);
          expect(key.slice(prefix.length).split('/')).toHaveLength(3);
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});
