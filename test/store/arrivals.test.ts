/**
 * Arrival claims and the poll schedule (store/arrivals.ts, store/polls.ts) with the core around them
 * (core/arrivals.ts), on SQLite and on a real PostgreSQL, where two stores (two instances' pools) race for the
 * same claims. Also: migration 0005 carries page arrivals recorded before it over as announced.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANNOUNCE_LEASE_SECONDS,
  type ArrivalDeps,
  MAX_ANNOUNCE_ATTEMPTS,
  objectVersion,
  recordArrival,
  retryAnnouncements,
} from '../../src/core/arrivals.js';
import type { ArrivalNotice } from '../../src/core/model.js';
import { openDatabase } from '../../src/store/database.js';
import { type OpenStore, openStore, parseDatabaseUrl } from '../../src/store/index.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { newLink, LINK_T0 as T0 } from '../support/link.js';
import { freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';

const backends = [
  {
    name: 'SQLite',
    skip: () => false,
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'upload-link-arrivals-'));
      return { url: `sqlite:${join(dir, 'store.db')}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: () => !hasPostgres(),
    async create() {
      const db = await freshPostgresDatabase(postgresUrlOrThrow());
      return { url: db.url, cleanup: () => db.drop() };
    },
  },
];

describe('objectVersion', () => {
  it.each([
    [{ etag: '"D41D8CD98F00B204E9800998ECF8427E"' }, 'd41d8cd98f00b204e9800998ecf8427e'],
    [{ etag: 'abc-2' }, 'abc-2'],
    [{ etag: '', sequencer: '0055aed6dcd90281e5' }, 'seq:0055AED6DCD90281E5'],
    [{ etag: '""', sequencer: '' }, undefined],
  ])('%j → %s', (object, version) => {
    expect(objectVersion(object)).toBe(version);
  });
});

for (const backend of backends) {
  describe.skipIf(backend.skip())(`arrival claims: ${backend.name}`, () => {
    let url: string;
    let cleanup: () => Promise<void>;
    const stores: OpenStore[] = [];
    const open = async () => {
      const store = openStore(parseDatabaseUrl(url) as NonNullable<ReturnType<typeof parseDatabaseUrl>>);
      await store.migrate();
      stores.push(store);
      return store;
    };
    let clock = T0.getTime();
    let notices: ArrivalNotice[];
    const deps = (store: OpenStore, notify?: ArrivalDeps['notify']): ArrivalDeps & { failures: boolean[] } => {
      const failures: boolean[] = [];
      return {
        store,
        now: () => new Date(clock),
        notify: notify ?? (async (notice) => void notices.push(notice)),
        onNotifyFailed: (_link, _error, gaveUp) => failures.push(gaveUp),
        announcing: new Set(),
        failures,
      };
    };
    const settle = () => new Promise((r) => setTimeout(r, 20));

    beforeEach(async () => {
      ({ url, cleanup } = await backend.create());
      clock = T0.getTime();
      notices = [];
    });
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      await cleanup();
    });

    it('claims each object once: the same ETag again is a duplicate, another one replaces it', async () => {
      const store = await open();
      await store.links.create(newLink('L1'), T0);
      const link = (await store.links.get('L1')) as NonNullable<Awaited<ReturnType<typeof store.links.get>>>;
      const d = deps(store);
      expect(await recordArrival(d, link, { size: 3, etag: '"AAA"', contentType: 'application/pdf' }, 'page')).toEqual({
        first: true,
        replaced: false,
        afterRevoke: false,
      });
      expect((await recordArrival(d, link, { size: 3, etag: 'aaa' }, 'event')).first).toBe(false);
      expect(await recordArrival(d, link, { size: 4, etag: 'bbb' }, 'poll')).toMatchObject({ replaced: true });
      await settle();
      expect(notices.map((n) => [n.size, n.replaced])).toEqual([
        [3, false],
        [4, true],
      ]);
      expect((await store.links.get('L1'))?.uploads).toBe(2);
      const audit = await store.audit.list({ action: 'link.uploaded', limit: 5 });
      expect(audit.map((e) => [e.detail.source, e.detail.contentType])).toEqual([
        ['poll', undefined],
        ['page', 'application/pdf'],
      ]);
    });

    it('a single-use link takes its first object only: another version (a write S3 refused) records nothing', async () => {
      const store = await open();
      await store.links.create(newLink('L1', { singleUse: true }), T0);
      const link = (await store.links.get('L1')) as NonNullable<Awaited<ReturnType<typeof store.links.get>>>;
      const d = deps(store);
      expect((await recordArrival(d, link, { size: 3, etag: 'aaa' }, 'event')).first).toBe(true);
      expect(await recordArrival(d, link, { size: 9, etag: 'bbb' }, 'event')).toEqual({
        first: false,
        replaced: false,
        afterRevoke: false,
        writtenOnce: true,
      });
      expect((await recordArrival(d, link, { size: 3, etag: 'aaa' }, 'poll')).writtenOnce).toBeUndefined();
      await settle();
      expect(notices.map((n) => [n.size, n.replaced])).toEqual([[3, false]]);
      expect((await store.links.get('L1'))?.uploads).toBe(1);
      expect(await store.audit.list({ action: 'link.uploaded', limit: 5 })).toHaveLength(1);
    });

    it('an object that landed after the revoke is audited as such; one that landed before is not', async () => {
      const store = await open();
      await store.links.create(newLink('L1'), T0);
      await store.links.revoke('L1', 'U0ALICE', new Date(T0.getTime() + 60_000));
      const link = await store.links.get('L1');
      if (!link) throw new Error('no link');
      const d = deps(store);
      const before = { size: 1, etag: 'b', landedAt: new Date(T0.getTime() + 30_000) };
      const after = { size: 1, etag: 'a', landedAt: new Date(T0.getTime() + 90_000) };
      expect((await recordArrival(d, link, before, 'event')).afterRevoke).toBe(false);
      expect((await recordArrival(d, link, after, 'event')).afterRevoke).toBe(true);
    });

    it('a claimer that died before announcing: after its lease another instance announces it, once', async () => {
      const a = await open();
      const b = await open();
      await a.links.create(newLink('L1'), T0);
      // "Instance A" claims and dies before posting.
      const arrival = { version: 'v1', size: 9, contentType: undefined, source: 'event' as const, landedAt: T0 };
      const lease = new Date(T0.getTime() + ANNOUNCE_LEASE_SECONDS * 1000);
      expect((await a.arrivals.claim('L1', arrival, T0, lease)).kind).toBe('claimed');
      expect(await retryAnnouncements(deps(b))).toBe(0); // lease not over yet
      clock = lease.getTime();
      const [fromB, fromA] = await Promise.all([retryAnnouncements(deps(b)), retryAnnouncements(deps(a))]);
      expect(fromA + fromB).toBe(1);
      expect(notices).toHaveLength(1);
      clock += 3600_000;
      expect(await retryAnnouncements(deps(b))).toBe(0);
    });

    it('an announcement slower than its lease is not posted a second time by a retry round', async () => {
      const store = await open();
      await store.links.create(newLink('L1'), T0);
      const link = await store.links.get('L1');
      if (!link) throw new Error('no link');
      let release = () => {};
      const slow = deps(store, async (notice) => {
        await new Promise<void>((r) => {
          release = r;
        });
        notices.push(notice);
      });
      await recordArrival(slow, link, { size: 1, etag: 'x' }, 'event');
      clock += (ANNOUNCE_LEASE_SECONDS + 1) * 1000;
      await retryAnnouncements(slow);
      release();
      await settle();
      expect(notices).toHaveLength(1);
    });

    it('gives up after repeated failures, saying so', async () => {
      const store = await open();
      await store.links.create(newLink('L1'), T0);
      const link = await store.links.get('L1');
      if (!link) throw new Error('no link');
      const failing = deps(store, async () => {
        throw new Error('slack is down');
      });
      await recordArrival(failing, link, { size: 1, etag: 'x' }, 'event');
      for (let i = 0; i < MAX_ANNOUNCE_ATTEMPTS + 2; i++) {
        await settle();
        clock += 3600_000;
        await retryAnnouncements(failing);
      }
      expect(failing.failures).toHaveLength(MAX_ANNOUNCE_ATTEMPTS);
      expect(failing.failures.at(-1)).toBe(true);
      expect(failing.failures.slice(0, -1).every((gaveUp) => !gaveUp)).toBe(true);
    });

    // Several instances share PostgreSQL; SQLite is for one instance (one connection, whose queries Kysely serialises).
    it.skipIf(backend.name === 'SQLite')(
      'two instances racing: the same object is claimed once; two objects once each, one replacing the other',
      async () => {
        const a = await open();
        const b = await open();
        await a.links.create(newLink('L1'), T0);
        await a.links.create(newLink('L2'), T0);
        const arrival = (version: string) => ({
          version,
          size: 1,
          contentType: undefined,
          source: 'event' as const,
          landedAt: T0,
        });
        const lease = new Date(T0.getTime() + 60_000);
        for (let round = 0; round < 5; round++) {
          const same = await Promise.all(
            [a, b, a, b].map((s) => s.arrivals.claim('L1', arrival(`same${round}`), T0, lease)),
          );
          expect(same.filter((o) => o.kind === 'claimed')).toHaveLength(1);
        }
        const two = await Promise.all([
          a.arrivals.claim('L2', arrival('one'), T0, lease),
          b.arrivals.claim('L2', arrival('two'), T0, lease),
        ]);
        const replaced = two.map((o) => (o.kind === 'claimed' ? o.claim.replaced : undefined));
        expect(replaced.sort()).toEqual([false, true]);
        expect((await a.links.get('L2'))?.uploads).toBe(2);
      },
    );

    it('poll checks are taken once across instances', async () => {
      const a = await open();
      const b = await open();
      await a.links.create(newLink('L1'), T0);
      expect((await a.polls.unscheduled(T0, 10)).map((l) => l.id)).toEqual(['L1']);
      await Promise.all([a.polls.schedule('L1', T0, 60), b.polls.schedule('L1', T0, 60)]);
      expect(await a.polls.unscheduled(T0, 10)).toEqual([]);
      const [target] = await a.polls.due(T0, 10);
      if (!target) throw new Error('nothing due');
      const next = { at: new Date(T0.getTime() + 120_000), intervalSeconds: 120 };
      const taken = await Promise.all([a.polls.take(target, next), b.polls.take(target, next)]);
      expect(taken.filter(Boolean)).toHaveLength(1);
      expect(await a.polls.due(T0, 10)).toEqual([]);
    });

    it('migration 0005 carries page arrivals recorded before it over as announced', async () => {
      const target = parseDatabaseUrl(url);
      if (!target) throw new Error('bad url');
      const { db, dialect, close } = openDatabase(target);
      try {
        // Up to 0003, as a deployment before this change; then a page arrival recorded the old way.
        const { Migrator } = await import('kysely');
        const { migrations } = await import('../../src/store/migrations.js');
        const migrator = new Migrator({
          db,
          provider: { getMigrations: async () => migrations(dialect) },
        });
        await migrator.migrateTo('0003_every_link');
        const store = openStore(target);
        stores.push(store);
        await sql`insert into links (id, channel_id, channel_name, team_name, requester, filename, object_key,
          created_at, expires_at, single_use, page, uploads, uploaded_at, uploaded_etag, uploaded_size, uploaded_type)
          values ('L1', 'C0ACME', 'acme', 'Example', 'U0ALICE', 'old.pdf', 'uploads/old.pdf', ${T0.toISOString()},
          ${T0.toISOString()}, 0, 1, 1, ${T0.toISOString()}, '"ABC"', 3, 'application/pdf')`.execute(db);
        await migrateToLatest(db as never, dialect);
        const link = await store.links.get('L1');
        if (!link) throw new Error('no link');
        expect((await recordArrival(deps(store), link, { size: 3, etag: 'abc' }, 'event')).first).toBe(false);
        expect(await retryAnnouncements(deps(store))).toBe(0);
      } finally {
        await close();
      }
    });
  });
}
