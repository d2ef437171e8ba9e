import { describe, expect, it } from 'vitest';
import { type SignedUpload, SigningUnavailableError, type UploadSigner } from '../../src/aws/signer.js';
import { createAccessPolicy } from '../../src/core/access.js';
import { tokenize } from '../../src/core/command.js';
import { handleUploadCommand, type UploadDeps, type UploadOutcome } from '../../src/core/upload.js';
import { openStore } from '../../src/store/index.js';

const ADMIN = 'U0ADMIN1';
const ALLOWED = 'U0ALLOWED1';
const STRANGER = 'U0STRANGER';
const CHANNEL = 'C0ACME';
const NOW = new Date('2024-03-05T12:00:00.000Z');
const BOUNDS = { minSeconds: 60, maxSeconds: 3 * 86_400 };

interface SignCall {
  key: string;
  expiresInSeconds: number;
  now: Date;
}

/** A signer that records its calls and returns a URL naming the key; `fail` makes it throw instead. */
function fakeSigner(fail?: Error): UploadSigner & { calls: SignCall[] } {
  const calls: SignCall[] = [];
  return {
    bucket: 'partner-uploads',
    calls,
    async warmUp() {},
    async signUpload(key, expiresInSeconds, now): Promise<SignedUpload> {
      calls.push({ key, expiresInSeconds, now });
      if (fail) throw fail;
      const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
      return {
        url: `https://partner-uploads.example/${encodeURI(key)}?X-Amz-Expires=${expiresInSeconds}`,
        headers: {},
        expiresAt,
        requestedExpiresAt: expiresAt,
        limitedByCredentials: false,
      };
    },
  };
}

/** A real store (SQLite in memory) and the real access policy; only the signer is a recording stand-in. */
async function setup(
  options: {
    signer?: UploadSigner & { calls: SignCall[] };
    now?: Date;
    newId?: () => string;
    presence?: { isMember(channelId: string): Promise<boolean | undefined> };
    rawUploadsAnnounced?: boolean;
  } = {},
) {
  const signer = options.signer ?? fakeSigner();
  const unavailable: SigningUnavailableError[] = [];
  const store = openStore({ dialect: 'sqlite', path: ':memory:' });
  await store.migrate();
  const groups = { members: async () => new Set<string>() };
  const deps: UploadDeps = {
    settings: { uploadPrefix: 'uploads/', defaultExpirySeconds: 86_400, maxExpirySeconds: BOUNDS.maxSeconds },
    store,
    access: createAccessPolicy({ lists: { adminUserIds: [ADMIN], allowedUserIds: [ALLOWED] }, store, groups }),
    signer,
    now: () => options.now ?? NOW,
    ...(options.newId === undefined ? {} : { newId: options.newId }),
    onSigningUnavailable: (error) => unavailable.push(error),
    ...(options.presence === undefined ? {} : { presence: options.presence }),
    ...(options.rawUploadsAnnounced === undefined ? {} : { rawUploadsAnnounced: options.rawUploadsAnnounced }),
  };
  const run = (text: string, userId = ALLOWED, channelId = CHANNEL) =>
    handleUploadCommand(deps, { userId, channelId, tokens: tokenize(text) });
  return { run, signer, unavailable, store };
}

function issuedLink(outcome: UploadOutcome) {
  if (outcome.kind !== 'issued') throw new Error(`expected an issued link, got ${outcome.kind}`);
  return outcome.link;
}

describe('handleUploadCommand', () => {
  it('issues a link under the channel prefix with the default expiry', async () => {
    const { run, signer } = await setup({ newId: () => 'id-1' });
    const link = issuedLink(await run('report.pdf'));
    expect(link).toEqual({
      filename: 'report.pdf',
      bucket: 'partner-uploads',
      key: 'uploads/C0ACME/2024-03-05/id-1/report.pdf',
      url: 'https://partner-uploads.example/uploads/C0ACME/2024-03-05/id-1/report.pdf?X-Amz-Expires=86400',
      urlHeaders: {},
      singleUse: false,
      expiresAt: new Date('2024-03-06T12:00:00.000Z'),
      requestedExpiresAt: new Date('2024-03-06T12:00:00.000Z'),
      limitedByCredentials: false,
      partner: undefined,
      // A raw URL alone, and no S3 events or polling here: its upload would not be announced, and it says so.
      announce: 'none',
      limits: { maxSizeBytes: undefined, allowedTypes: undefined },
    });
    expect(signer.calls).toEqual([{ key: link.key, expiresInSeconds: 86_400, now: NOW }]);
  });

  it('says where arrivals go: a DM always by DM, a channel as the presence port says', async () => {
    const inAcme = { isMember: async (channel: string) => channel === 'C0ACME' };
    const { run } = await setup({ presence: inAcme, rawUploadsAnnounced: true });
    expect(issuedLink(await run('a.pdf', ALLOWED, 'C0ACME')).announce).toBe('channel');
    expect(issuedLink(await run('a.pdf', ALLOWED, 'C0OTHER')).announce).toBe('dm');
    expect(issuedLink(await run('a.pdf', ALLOWED, 'D0ALICE')).announce).toBe('dm');
  });

  it('signs for the expiry asked', async () => {
    const { run, signer } = await setup();
    await run('"Q3 figures.xlsx" 2h', ADMIN);
    expect(signer.calls.map((c) => c.expiresInSeconds)).toEqual([7200]);
    expect(signer.calls[0]?.key).toMatch(/\/Q3 figures\.xlsx$/);
  });

  it('puts the name the user typed in the key, even when Slack escaped it', async () => {
    const { run } = await setup();
    const link = issuedLink(await run('<http://notes.md|notes.md> 45m'));
    expect(link.filename).toBe('notes.md');
    expect(link.key).toMatch(/^uploads\/C0ACME\/2024-03-05\/[0-9a-f-]{36}\/notes\.md$/);
  });

  it('keeps the key in the channel prefix whatever path is typed', async () => {
    const { run } = await setup();
    const link = issuedLink(await run('../../C0OTHER/secret.txt', ALLOWED, 'C0MINE'));
    expect(link.key).toMatch(/^uploads\/C0MINE\/2024-03-05\/[0-9a-f-]{36}\/secret\.txt$/);
    expect(link.filename).toBe('secret.txt');
  });

  it('two calls with the same name produce different keys', async () => {
    const { run, signer } = await setup();
    const first = issuedLink(await run('report.pdf'));
    const second = issuedLink(await run('report.pdf'));
    expect(first.key).not.toBe(second.key);
    expect(first.key.endsWith('/report.pdf')).toBe(true);
    expect(second.key.endsWith('/report.pdf')).toBe(true);
    expect(signer.calls).toHaveLength(2);
  });

  it("uses the injected clock's UTC date in the key, and passes that time to the signer", async () => {
    const previousTz = process.env.TZ;
    // In Kiritimati (UTC+14) it is already 6 March: the key must still say 5 March.
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      const late = new Date('2024-03-05T23:59:30.000Z');
      const { run, signer } = await setup({ now: late });
      const link = issuedLink(await run('report.pdf'));
      expect(link.key).toMatch(/^uploads\/C0ACME\/2024-03-05\//);
      expect(signer.calls[0]?.now).toBe(late);
      const early = await setup({ now: new Date('2024-03-06T00:00:00.000Z') });
      expect(issuedLink(await early.run('report.pdf')).key).toMatch(/^uploads\/C0ACME\/2024-03-06\//);
    } finally {
      if (previousTz === undefined) delete process.env.TZ;
      else process.env.TZ = previousTz;
    }
  });

  it('admins may create links in any channel', async () => {
    const { run } = await setup();
    expect((await run('a.txt', ADMIN, 'C0ONE')).kind).toBe('issued');
    expect((await run('a.txt', ADMIN, 'C0TWO')).kind).toBe('issued');
  });

  it('refuses a stranger, naming the admins, and signs nothing', async () => {
    const { run, signer } = await setup();
    expect(await run('report.pdf', STRANGER)).toEqual({ kind: 'refused', admins: [ADMIN], groupsUnchecked: false });
    expect(await run('"Q3 figures.xlsx" 2h', STRANGER)).toEqual({
      kind: 'refused',
      admins: [ADMIN],
      groupsUnchecked: false,
    });
    expect(signer.calls).toEqual([]);
  });

  describe('bad input is reported before the access check', () => {
    it.each([
      ['report.pdf 10y', { kind: 'bad-expiry', typed: '10y', bounds: BOUNDS, reason: 'unparsable' }],
      ['report.pdf 4d', { kind: 'bad-expiry', typed: '4d', bounds: BOUNDS, reason: 'too-long' }],
      ['report.pdf 0m', { kind: 'bad-expiry', typed: '0m', bounds: BOUNDS, reason: 'too-short' }],
      ['report.pdf 1.5h', { kind: 'bad-expiry', typed: '1.5h', bounds: BOUNDS, reason: 'unparsable' }],
      ['2h', { kind: 'missing-filename', expiry: '2h' }],
      ['../..', { kind: 'bad-filename', typed: '../..', reason: 'nothing-left' }],
      ['"" 2h', { kind: 'bad-filename', typed: '', reason: 'empty' }],
      ['help', { kind: 'help', bounds: BOUNDS, defaultExpirySeconds: 86_400, forAdmin: false }],
      ['', { kind: 'help', bounds: BOUNDS, defaultExpirySeconds: 86_400, forAdmin: false }],
    ] as const)('a stranger typing %j gets %j', async (text, expected) => {
      const { run, signer } = await setup();
      expect(await run(text, STRANGER)).toEqual(expected);
      expect(signer.calls).toEqual([]);
    });

    it('an allowed user gets the same answers, and nothing is signed', async () => {
      const { run, signer } = await setup();
      expect((await run('report.pdf 10y')).kind).toBe('bad-expiry');
      expect((await run('../..')).kind).toBe('bad-filename');
      expect(signer.calls).toEqual([]);
    });
  });

  it('accepts an expiry of exactly the maximum and refuses one minute more', async () => {
    const { run } = await setup();
    expect((await run('report.pdf 3d')).kind).toBe('issued');
    expect((await run('report.pdf 4321m')).kind).toBe('bad-expiry');
    expect((await run('report.pdf 1m')).kind).toBe('issued');
  });

  it('reports signing-unavailable when the signer cannot sign, and tells the callback', async () => {
    const error = new SigningUnavailableError('no AWS credentials could be loaded');
    const { run, unavailable } = await setup({ signer: fakeSigner(error) });
    expect(await run('report.pdf')).toEqual({ kind: 'signing-unavailable' });
    expect(unavailable).toEqual([error]);
  });

  it('lets any other signer error through as a bug', async () => {
    const { run, unavailable } = await setup({ signer: fakeSigner(new TypeError('boom')) });
    await expect(run('report.pdf')).rejects.toThrow('boom');
    expect(unavailable).toEqual([]);
  });
});
