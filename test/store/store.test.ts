/**
 * One contract for the access store, run against SQLite and against a real PostgreSQL server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVERYWHERE } from '../../src/core/model.js';
import { type OpenStore, openStore, parseDatabaseUrl } from '../../src/store/index.js';
import { newLink } from '../support/link.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';

interface Backend {
  readonly name: string;
  readonly skip: () => boolean;
  /** A fresh, empty database URL and its cleanup. */
  create(): Promise<{ url: string; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    skip: () => false,
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'upload-link-store-'));
      return {
        url: `sqlite:${join(dir, 'nested', 'store.db')}`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    skip: () => !hasPostgres(),
    async create() {
      const db: FreshDatabase = await freshPostgresDatabase(postgresUrlOrThrow());
      return { url: db.url, cleanup: () => db.drop() };
    },
  },
];

const T0 = new Date('2026-11-30T10:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const bob = { type: 'user', id: 'U0BOB' } as const;
const carol = { type: 'user', id: 'U0CAROL' } as const;
const partners = { type: 'usergroup', id: 'S0PARTNERS' } as const;

for (const backend of backends) {
  describe.skipIf(backend.skip())(`access store contract: ${backend.name}`, () => {
    let url: string;
    let cleanup: () => Promise<void>;
    let store: OpenStore;
    const open = async () => {
      const target = parseDatabaseUrl(url);
      if (!target) throw new Error(`bad url ${url}`);
      const s = openStore(target);
      await s.migrate();
      return s;
    };

    beforeEach(async () => {
      ({ url, cleanup } = await backend.create());
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('migrates once: a second run applies nothing', async () => {
      expect((await store.migrate()).applied).toEqual([]);
    });

    it('allows, reports what was already there, and lists entries for a channel with the everywhere ones', async () => {
      const first = await store.entries.allow([bob, partners], 'C0ACME', 'U0ADMIN', T0);
      expect(first).toEqual({ changed: [bob, partners], unchanged: [] });
      const again = await store.entries.allow([bob, carol, bob], 'C0ACME', 'U0ADMIN', later(1));
      expect(again).toEqual({ changed: [carol], unchanged: [bob] });
      await store.entries.allow([carol], EVERYWHERE, 'U0ADMIN', later(2));

      const acme = await store.entries.forChannel('C0ACME');
      expect(acme.map((e) => `${e.type}:${e.id}@${e.scope}`).sort()).toEqual([
        'user:U0BOB@C0ACME',
        'user:U0CAROL@*',
        'user:U0CAROL@C0ACME',
        'usergroup:S0PARTNERS@C0ACME',
      ]);
      expect((await store.entries.forChannel('C0OTHER')).map((e) => e.id)).toEqual(['U0CAROL']);
      const bobEntry = acme.find((e) => e.id === 'U0BOB');
      expect(bobEntry?.addedBy).toBe('U0ADMIN');
      expect(bobEntry?.addedAt).toEqual(T0);
      expect(await store.entries.list()).toHaveLength(4);
    });

    it('disallows only in the given scope', async () => {
      await store.entries.allow([bob], 'C0ACME', 'U0ADMIN', T0);
      await store.entries.allow([bob], EVERYWHERE, 'U0ADMIN', T0);
      expect(await store.entries.disallow([bob, carol], 'C0ACME', 'U0ADMIN', later(1))).toEqual({
        changed: [bob],
        unchanged: [carol],
      });
      expect((await store.entries.forChannel('C0ACME')).map((e) => e.scope)).toEqual([EVERYWHERE]);
    });

    it('adds and removes admins, once each', async () => {
      expect(await store.admins.add('U0ALICE', 'cli', T0)).toBe(true);
      expect(await store.admins.add('U0ALICE', 'cli', T0)).toBe(false);
      expect(await store.admins.has('U0ALICE')).toBe(true);
      expect(await store.admins.list()).toEqual([{ userId: 'U0ALICE', addedBy: 'cli', addedAt: T0 }]);
      expect(await store.admins.remove('U0ALICE', 'U0ROOT', later(1))).toBe(true);
      expect(await store.admins.remove('U0ALICE', 'U0ROOT', later(1))).toBe(false);
      expect(await store.admins.has('U0ALICE')).toBe(false);
    });

    it('keeps channel settings: set, partly change, clear back to default', async () => {
      expect(await store.settings.get('C0ACME')).toBeUndefined();
      await store.settings.update(
        'C0ACME',
        { keyPrefix: 'partners/acme/', maxExpirySeconds: 3 * 86_400 },
        'U0ADMIN',
        T0,
      );
      await store.settings.update('C0ACME', { defaultExpirySeconds: 7200 }, 'U0ADMIN', later(1));
      expect(await store.settings.get('C0ACME')).toEqual({
        channelId: 'C0ACME',
        keyPrefix: 'partners/acme/',
        defaultExpirySeconds: 7200,
        maxExpirySeconds: 3 * 86_400,
        updatedBy: 'U0ADMIN',
        updatedAt: later(1),
      });
      await store.settings.update('C0ACME', { keyPrefix: null }, 'U0ADMIN', later(2));
      expect((await store.settings.get('C0ACME'))?.keyPrefix).toBeUndefined();
      expect((await store.settings.list()).map((s) => s.channelId)).toEqual(['C0ACME']);
    });

    it('audits every change in the same transaction, newest first, filtered by channel, actor and action', async () => {
      await store.entries.allow([bob], 'C0ACME', 'U0ADMIN', T0);
      await store.entries.allow([bob], 'C0ACME', 'U0ADMIN', later(1)); // no change → no event
      await store.admins.add('U0ALICE', 'cli', later(2));
      await store.audit.record(
        {
          actor: 'U0BOB',
          action: 'link.issued',
          channelId: 'C0ACME',
          detail: { filename: 'x', key: 'uploads/C0ACME/x', expiresAt: later(60).toISOString() },
        },
        later(3),
      );
      await store.audit.record({ actor: 'U0EVE', action: 'link.refused', channelId: 'C0OTHER', detail: {} }, later(4));
      await store.settings.update('C0ACME', { maxExpirySeconds: 3600 }, 'U0ADMIN', later(5));

      const all = await store.audit.list({ limit: 10 });
      expect(all.map((e) => e.action)).toEqual([
        'settings.update',
        'link.refused',
        'link.issued',
        'admin.add',
        'access.allow',
      ]);
      expect(all[4]).toMatchObject({
        actor: 'U0ADMIN',
        channelId: 'C0ACME',
        at: T0,
        detail: { scope: 'C0ACME', subjects: ['user:U0BOB'] },
      });
      expect((await store.audit.list({ channelId: 'C0ACME', limit: 10 })).map((e) => e.action)).toEqual([
        'settings.update',
        'link.issued',
        'access.allow',
      ]);
      expect(
        (await store.audit.list({ actor: 'U0BOB', action: 'link.issued', limit: 10 })).map((e) => e.detail.key),
      ).toEqual(['uploads/C0ACME/x']);
      expect(await store.audit.list({ limit: 2 })).toHaveLength(2);
    });

    it('keeps everything across a reopen (a restarted app on the same database)', async () => {
      await store.entries.allow([bob], 'C0ACME', 'U0ADMIN', T0);
      await store.admins.add('U0ALICE', 'cli', T0);
      await store.settings.update('C0ACME', { keyPrefix: 'p/' }, 'U0ADMIN', T0);
      await store.close();
      store = await open();
      expect((await store.entries.forChannel('C0ACME')).map((e) => e.id)).toEqual(['U0BOB']);
      expect(await store.admins.has('U0ALICE')).toBe(true);
      expect((await store.settings.get('C0ACME'))?.keyPrefix).toBe('p/');
    });

    it('two stores on one database see each other’s changes at once (no caching)', async () => {
      const other = await open();
      try {
        await store.entries.allow([bob], 'C0ACME', 'U0ADMIN', T0);
        expect((await other.entries.forChannel('C0ACME')).map((e) => e.id)).toEqual(['U0BOB']);
        await other.entries.disallow([bob], 'C0ACME', 'U0ADMIN', later(1));
        expect(await store.entries.forChannel('C0ACME')).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('multipart uploads: found only through their link; one completion at a time; single-use links complete once; the sweep finds those of closed links', async () => {
      const link = (id: string, singleUse: boolean) => ({
        id,
        channelId: 'C0ACME',
        channelName: 'acme',
        teamName: 'Example',
        requester: 'U0BOB',
        filename: 'f.mov',
        key: `uploads/C0ACME/${id}/f.mov`,
        createdAt: T0,
        expiresAt: later(60),
        urlExpiresAt: undefined,
        singleUse,
        page: true,
        maxSizeBytes: undefined,
        allowedTypes: undefined,
        grant: 'admin',
      });
      await store.links.create(link('LINKAAAAAAAAAAAAAAAAAA', false), T0);
      await store.links.create(link('LINKBBBBBBBBBBBBBBBBBB', true), T0);
      const upload = (uploadId: string, linkId: string) => ({
        uploadId,
        linkId,
        key: `uploads/C0ACME/${linkId}/f.mov`,
        size: 6 * 1024 ** 3,
        partSize: 64 * 1024 ** 2,
        partCount: 96,
        contentType: 'video/quicktime',
        createdAt: T0,
      });
      await store.uploads.create(upload('up-a', 'LINKAAAAAAAAAAAAAAAAAA'));
      await store.uploads.create(upload('up-b1', 'LINKBBBBBBBBBBBBBBBBBB'));
      await store.uploads.create(upload('up-b2', 'LINKBBBBBBBBBBBBBBBBBB'));

      expect(await store.uploads.get('LINKAAAAAAAAAAAAAAAAAA', 'up-a')).toMatchObject({
        size: 6 * 1024 ** 3,
        partCount: 96,
        state: 'open',
        closedAt: undefined,
      });
      expect(await store.uploads.get('LINKBBBBBBBBBBBBBBBBBB', 'up-a')).toBeUndefined();

      expect(await store.uploads.claimCompletion('LINKAAAAAAAAAAAAAAAAAA', 'up-a', false)).toBe(true);
      expect(await store.uploads.claimCompletion('LINKAAAAAAAAAAAAAAAAAA', 'up-a', false)).toBe(false);
      await store.uploads.releaseCompletion('up-a');
      expect((await store.uploads.get('LINKAAAAAAAAAAAAAAAAAA', 'up-a'))?.state).toBe('open');

      expect(await store.uploads.claimCompletion('LINKBBBBBBBBBBBBBBBBBB', 'up-b1', true)).toBe(true);
      expect(await store.uploads.claimCompletion('LINKBBBBBBBBBBBBBBBBBB', 'up-b2', true)).toBe(false);
      expect(await store.uploads.close('up-b1', 'completed', later(1))).toBe(true);
      expect(await store.uploads.close('up-b1', 'aborted', later(2))).toBe(false);

      expect(await store.uploads.openOfClosedLinks(later(1), 10)).toEqual([]);
      await store.links.revoke('LINKAAAAAAAAAAAAAAAAAA', 'U0BOB', later(2));
      expect((await store.uploads.openOfClosedLinks(later(2), 10)).map((u) => u.uploadId)).toEqual(['up-a']);
      // Expired links too (the single-use link's other upload is still open).
      expect((await store.uploads.openOfClosedLinks(later(61), 10)).map((u) => u.uploadId).sort()).toEqual([
        'up-a',
        'up-b2',
      ]);
    });

    it("reads a command's context in one query: the channel's settings, a stored admin, the entries that apply", async () => {
      expect(await store.context('U0ALICE', 'C0ACME')).toEqual({
        settings: undefined,
        storedAdmin: false,
        entries: [],
      });
      await store.settings.update(
        'C0ACME',
        { keyPrefix: 'partners/acme/', maxSizeBytes: 5 * 1024 ** 3, allowedTypes: ['pdf', 'zip'] },
        'U0ADMIN',
        T0,
      );
      await store.settings.update('C0OTHER', { defaultExpirySeconds: 7200 }, 'U0ADMIN', T0);
      await store.admins.add('U0ALICE', 'cli', T0);
      await store.entries.allow([bob, partners], 'C0ACME', 'U0ADMIN', T0);
      await store.entries.allow([carol], EVERYWHERE, 'U0ADMIN', later(1));
      await store.entries.allow([carol], 'C0OTHER', 'U0ADMIN', later(1));

      for (const [user, channel] of [
        ['U0ALICE', 'C0ACME'],
        ['U0BOB', 'C0ACME'],
        ['U0BOB', 'C0OTHER'],
        ['U0BOB', 'C0NONE'],
      ] as const) {
        const context = await store.context(user, channel);
        // The same as the three separate reads it replaces.
        expect(context.settings).toEqual(await store.settings.get(channel));
        expect(context.storedAdmin).toBe(await store.admins.has(user));
        const key = (e: { type: string; id: string; scope: string }) => `${e.type}:${e.id}@${e.scope}`;
        expect(context.entries.map(key).sort()).toEqual((await store.entries.forChannel(channel)).map(key).sort());
        expect([...context.entries].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
          (await store.entries.forChannel(channel)).sort((a, b) => key(a).localeCompare(key(b))),
        );
      }
      const acme = await store.context('U0ALICE', 'C0ACME');
      expect(acme.storedAdmin).toBe(true);
      expect(acme.settings).toMatchObject({ keyPrefix: 'partners/acme/', maxSizeBytes: 5 * 1024 ** 3 });
      expect(acme.settings?.allowedTypes).toEqual(['pdf', 'zip']);
      expect(acme.entries).toHaveLength(3);
    });

    it('writes a link and its audit event together, or neither', async () => {
      const link = newLink('LINKCCCCCCCCCCCCCCCCCC', {
        requester: 'U0BOB',
        filename: 'f.pdf',
        key: 'uploads/C0ACME/x/f.pdf',
        expiresAt: later(60),
        urlExpiresAt: later(30),
        singleUse: true,
        maxSizeBytes: 1024,
        allowedTypes: ['pdf'],
        grant: 'entry',
      });
      await store.links.create(link, T0);
      expect(await store.links.get(link.id)).toMatchObject({
        id: link.id,
        key: link.key,
        expiresAt: later(60),
        urlExpiresAt: later(30),
        singleUse: true,
        page: false,
        maxSizeBytes: 1024,
        allowedTypes: ['pdf'],
        uploads: 0,
        revokedAt: undefined,
        uploadedAt: undefined,
      });
      const issued = await store.audit.list({ action: 'link.issued', limit: 10 });
      expect(issued).toHaveLength(1);
      expect(issued[0]).toMatchObject({
        actor: 'U0BOB',
        channelId: 'C0ACME',
        at: T0,
        detail: {
          link: link.id,
          key: link.key,
          filename: 'f.pdf',
          expiresAt: later(60).toISOString(),
          grant: 'entry',
          singleUse: true,
        },
      });
      // The same id again: the row is refused, and so no second audit event is written either.
      await expect(store.links.create({ ...link, key: 'uploads/C0ACME/y/f.pdf' }, later(1))).rejects.toMatchObject({
        name: 'StoreUnavailableError',
      });
      expect(await store.audit.list({ action: 'link.issued', limit: 10 })).toHaveLength(1);
    });

    it('claims a Slack request once', async () => {
      // Now: an old timestamp would be pruned right after its claim.
      const NOW_SECONDS = Math.floor(Date.now() / 1000);
      expect(await store.seenRequests.claim('digest-1', NOW_SECONDS)).toBe(true);
      expect(await store.seenRequests.claim('digest-1', NOW_SECONDS)).toBe(false);
      expect(await store.seenRequests.claim('digest-2', NOW_SECONDS)).toBe(true);
    });

    it('reports a failing database as StoreUnavailableError', async () => {
      await store.close();
      await expect(store.admins.list()).rejects.toMatchObject({ name: 'StoreUnavailableError' });
      store = await open();
    });
  });
}
