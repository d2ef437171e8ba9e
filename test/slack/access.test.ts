/**
 * Access administration end to end: signed slash commands over real HTTP, the real store, the verifying S3 server,
 * and the fake Slack Web API for group membership.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminMessages } from '../../src/slack/views/admin-reply.js';
import { messages } from '../../src/slack/views/reply.js';
import { ADMIN, startTestApp, type TestApp, urlFromReply } from '../support/app.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/slack-api.js';

const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const DAVE = 'U0DAVE';
const ACME = 'C0ACME';
const OTHER = 'C0OTHER';

/** The mentions exactly as Slack sends them with should_escape: true. */
const mention = (id: string, name = id.toLowerCase()) => `<@${id}|${name}>`;
const channel = (id: string, name = id.toLowerCase()) => `<#${id}|${name}>`;

const text = (reply: { json: Record<string, unknown> | undefined }) => String(reply.json?.text ?? '');

async function linkFor(app: TestApp, user: string, channelId: string, name = 'report.pdf') {
  return app.command({ text: name, user_id: user, channel_id: channelId });
}

const issued = (reply: { body: string }) => reply.body.includes('X-Amz-Signature');

describe('access administration over real HTTP', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('an admin allows @bob in #acme: bob gets links there, not in #other; disallow takes it back', async () => {
    app = await startTestApp();
    expect(issued(await linkFor(app, BOB, ACME))).toBe(false);

    const allow = await app.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    expect(text(allow)).toContain(`<@${BOB}> may now create upload links in <#${ACME}>`);

    expect(issued(await linkFor(app, BOB, ACME))).toBe(true);
    const elsewhere = await linkFor(app, BOB, OTHER);
    expect(issued(elsewhere)).toBe(false);
    expect(text(elsewhere)).toBe(messages.refused([ADMIN]));

    const disallow = await app.command({
      text: `disallow ${mention(BOB)} ${channel(ACME)}`,
      user_id: ADMIN,
      channel_id: OTHER,
    });
    expect(text(disallow)).toContain(`<@${BOB}> may no longer create upload links in <#${ACME}>`);
    expect(issued(await linkFor(app, BOB, ACME))).toBe(false);
  });

  it('"everywhere" entries apply in every channel', async () => {
    app = await startTestApp();
    await app.command({ text: `allow ${mention(BOB)} everywhere`, user_id: ADMIN, channel_id: ACME });
    expect(issued(await linkFor(app, BOB, ACME))).toBe(true);
    expect(issued(await linkFor(app, BOB, OTHER))).toBe(true);
  });

  it('a user group entry allows its members, as Slack reports them', async () => {
    app = await startTestApp();
    app.slack.handle('usergroups.users.list', (args) => ({
      ok: true,
      users: args.usergroup === 'S0PARTNERS' ? [CAROL] : [],
    }));
    const allow = await app.command({
      text: 'allow <!subteam^S0PARTNERS|@partners>',
      user_id: ADMIN,
      channel_id: ACME,
    });
    expect(text(allow)).toContain('<!subteam^S0PARTNERS> may now create upload links');

    expect(issued(await linkFor(app, CAROL, ACME))).toBe(true);
    expect(issued(await linkFor(app, DAVE, ACME))).toBe(false);
    expect(issued(await linkFor(app, CAROL, OTHER))).toBe(false);
    const lookups = app.slack.calls.filter((c) => c.method === 'usergroups.users.list');
    expect(lookups[0]?.args.usergroup).toBe('S0PARTNERS');
    // Membership is cached (at most 60 s): three checks, one call.
    expect(lookups).toHaveLength(1);

    const access = await app.command({ text: 'access', user_id: ADMIN, channel_id: ACME });
    expect(text(access)).toContain(`Via <!subteam^S0PARTNERS>: <@${CAROL}>`);
  });

  it('when Slack cannot answer for a group, the refusal says so and nothing is created', async () => {
    app = await startTestApp();
    app.slack.handle('usergroups.users.list', () => ({ ok: false, error: 'ratelimited' }));
    await app.command({ text: 'allow <!subteam^S0PARTNERS|@partners>', user_id: ADMIN, channel_id: ACME });
    const reply = await linkFor(app, CAROL, ACME);
    expect(issued(reply)).toBe(false);
    expect(text(reply)).toContain(messages.groupsUnchecked());
  });

  it('non-admins change nothing, whatever they try', async () => {
    app = await startTestApp();
    await app.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    const before = await app.store.audit.list({ limit: 100 });

    for (const attempt of [
      `allow ${mention(DAVE)}`,
      `disallow ${mention(BOB)}`,
      `admins add ${mention(BOB)}`,
      'settings prefix=elsewhere/',
      'audit',
      'access',
    ]) {
      const reply = await app.command({ text: attempt, user_id: BOB, channel_id: ACME });
      expect(text(reply)).toBe(adminMessages.notAdmin([ADMIN]));
    }
    expect(await app.store.audit.list({ limit: 100 })).toEqual(before);
    expect(await app.store.admins.list()).toEqual([]);
    expect(issued(await linkFor(app, DAVE, ACME))).toBe(false);
  });

  it('malformed admin input gets the right usage and changes nothing', async () => {
    app = await startTestApp();
    const cases: [string, RegExp][] = [
      ['allow', /Mention at least one person or user group to allow\..*Usage: `\/upload-link allow/s],
      ['allow @alice', /I can't tell who "@alice" is/],
      [`allow ${mention(BOB)} sideways`, /I don't understand "sideways"/],
      [`allow ${mention(BOB)} ${channel(ACME)} ${channel(OTHER)}`, /Give one target/],
      ['admins promote', /Use `add` or `remove`/],
      ['settings prefix=/abs/', /must not start with "\/"/],
      ['settings prefix=a/../b/', /must not contain "\." or "\.\." parts/],
      ['settings prefix=no-slash', /must end with "\/"/],
      ['settings max-expiry=9d', /max-expiry must be 1 minute to 1 week/],
      ['settings default-expiry=soon', /isn't a duration/],
      ['settings color=blue', /There is no setting `color`/],
      ['audit 5000', /I don't understand "5000"|between 1 and 100/],
    ];
    for (const [input, expected] of cases) {
      const reply = await app.command({ text: input, user_id: ADMIN, channel_id: ACME });
      expect(text(reply), input).toMatch(expected);
      expect(text(reply), input).toContain('Nothing was changed.');
    }
    expect(await app.store.audit.list({ limit: 100 })).toEqual([]);
    expect(await app.store.settings.get(ACME)).toBeUndefined();
  });

  it('escapes what it echoes and its usage placeholders, so Slack shows them as typed', async () => {
    app = await startTestApp();
    // Slack sends "a<b&c" as entities; the reply must send them back as entities, not as a link or markup.
    const reply = await app.command({ text: 'settings prefix=a&lt;b&amp;c/ x', user_id: ADMIN, channel_id: ACME });
    const echoed = String(reply.json?.text);
    expect(echoed).toContain('I don\'t understand "x"');
    const usage = await app.command({ text: 'settings sideways', user_id: ADMIN, channel_id: ACME });
    expect(String(usage.json?.text)).toContain('prefix=&lt;folder/&gt;');
    expect(String(usage.json?.text)).not.toMatch(/<folder|<2h>/);
    const bad = await app.command({ text: 'allow a&lt;b', user_id: ADMIN, channel_id: ACME });
    expect(String(bad.json?.text)).toContain('I don\'t understand "a&lt;b"');
  });

  it('admins added from Slack can administer; config admins and the last admin cannot be removed', async () => {
    app = await startTestApp();
    const add = await app.command({ text: `admins add ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    expect(text(add)).toContain(`<@${BOB}> is now an admin`);
    const byBob = await app.command({ text: `allow ${mention(CAROL)} everywhere`, user_id: BOB, channel_id: ACME });
    expect(text(byBob)).toContain('may now create upload links in every channel');
    expect(issued(await linkFor(app, CAROL, OTHER))).toBe(true);

    const list = await app.command({ text: 'admins', user_id: BOB, channel_id: ACME });
    expect(text(list)).toContain(`<@${ADMIN}> (configuration, ADMIN_USER_IDS)`);
    expect(text(list)).toContain(`<@${BOB}> (added by <@${ADMIN}>)`);

    const removeConfig = await app.command({ text: `admins remove ${mention(ADMIN)}`, user_id: BOB, channel_id: ACME });
    expect(text(removeConfig)).toContain("can't be removed from Slack");
    const removeBob = await app.command({ text: `admins remove ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    expect(text(removeBob)).toContain(`<@${BOB}> is no longer an admin`);
    const refused = await app.command({ text: `allow ${mention(DAVE)}`, user_id: BOB, channel_id: ACME });
    expect(text(refused)).toBe(adminMessages.notAdmin([ADMIN]));
  });

  it('the last admin cannot remove themselves', async () => {
    app = await startTestApp({ env: { ADMIN_USER_IDS: '' } });
    await app.store.admins.add(BOB, 'cli', new Date());
    const reply = await app.command({ text: `admins remove ${mention(BOB)}`, user_id: BOB, channel_id: ACME });
    expect(text(reply)).toContain('is the last admin');
    expect(await app.store.admins.has(BOB)).toBe(true);
    // Refusals name admins added from Slack too.
    expect(text(await linkFor(app, DAVE, ACME))).toBe(messages.refused([BOB]));
  });

  it("a channel's prefix override changes where the upload lands", async () => {
    app = await startTestApp();
    await app.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    const set = await app.command({
      text: 'settings prefix=partners/acme/ max-expiry=2d default-expiry=3h',
      user_id: ADMIN,
      channel_id: ACME,
    });
    expect(text(set)).toContain('prefix: `partners/acme/`');
    expect(text(set)).toContain('outside `uploads/`');

    const reply = await linkFor(app, BOB, ACME, 'contract.pdf');
    const url = urlFromReply(reply.json);
    const key = decodeURIComponent(new URL(url).pathname.replace(`/${app.s3.bucket}/`, ''));
    expect(key).toMatch(/^partners\/acme\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\/contract\.pdf$/);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(3 * 3600));
    expect((await fetch(url, { method: 'PUT', body: 'signed contract' })).status).toBe(200);
    expect((await app.s3.getObject(key))?.toString()).toBe('signed contract');

    const tooLong = await linkFor(app, BOB, ACME, 'contract.pdf 3d');
    expect(text(tooLong)).toContain('too long: at most 2 days here');
    // Other channels keep the global defaults.
    await app.command({ text: `allow ${mention(BOB)} ${channel(OTHER)}`, user_id: ADMIN, channel_id: ACME });
    const other = urlFromReply((await linkFor(app, BOB, OTHER)).json);
    expect(decodeURIComponent(new URL(other).pathname)).toContain(`/uploads/${OTHER}/`);

    const reset = await app.command({ text: 'settings prefix=default', user_id: ADMIN, channel_id: ACME });
    expect(text(reset)).toContain(`prefix: \`uploads/${ACME}/\` (default)`);
  });

  it('audit lists links, refusals and admin changes, newest first, and never a URL', async () => {
    app = await startTestApp();
    await app.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    const link = await linkFor(app, BOB, ACME, 'q3.xlsx');
    expect(issued(link)).toBe(true);
    await linkFor(app, DAVE, ACME, 'sneaky.exe');
    await app.command({ text: 'settings max-expiry=1d', user_id: ADMIN, channel_id: ACME });
    await linkFor(app, BOB, OTHER);

    const audit = await app.command({ text: `audit ${channel(ACME)} 10`, user_id: ADMIN, channel_id: OTHER });
    const lines = text(audit).split('\n');
    expect(lines[0]).toContain(`Last 4 events in <#${ACME}>`);
    expect(lines[1]).toMatch(new RegExp(`<@${ADMIN}> set in <#${ACME}>: .*max-expiry=1 day`));
    expect(lines[2]).toMatch(new RegExp(`<@${DAVE}> was refused a link in <#${ACME}> \\(sneaky\\.exe\\)`));
    expect(lines[3]).toMatch(new RegExp(`<@${BOB}> created a link in <#${ACME}> for \`uploads/${ACME}/.*/q3\\.xlsx\``));
    expect(lines[4]).toContain(`<@${ADMIN}> allowed <@${BOB}> in <#${ACME}>`);
    expect(audit.body).not.toMatch(/https?:\/\/|X-Amz/);

    const everything = await app.command({ text: 'audit', user_id: ADMIN, channel_id: ACME });
    expect(text(everything)).toContain('Last 5 events');
  });

  it('when the store is unavailable: "temporarily unavailable, nothing was created", then it recovers', async () => {
    app = await startTestApp();
    await app.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    const path = app.config.database.dialect === 'sqlite' ? app.config.database.path : '';
    // Another process holds the write lock (a stuck migration, a backup): writes time out.
    const blocker = new SQLite(path);
    blocker.exec('BEGIN EXCLUSIVE');
    try {
      const reply = await linkFor(app, BOB, ACME);
      expect(reply.status).toBe(200);
      expect(text(reply)).toBe(messages.storeUnavailable());
      expect(issued(reply)).toBe(false);
      const admin = await app.command({ text: `allow ${mention(CAROL)}`, user_id: ADMIN, channel_id: ACME });
      expect(text(admin)).toBe(adminMessages.storeUnavailable);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(issued(await linkFor(app, BOB, ACME))).toBe(true);
    expect((await app.store.entries.forChannel(ACME)).map((e) => e.id)).toEqual([BOB]);
    expect(app.logs.join('\n')).toContain('Access store unavailable');
  });
});

describe('rules persist', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upload-link-restart-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an app restarted on the same SQLite file keeps every rule', async () => {
    const databaseUrl = `sqlite:${join(dir, 'upload-link.db')}`;
    const first = await startTestApp({ databaseUrl });
    await first.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
    await first.command({ text: `admins add ${mention(CAROL)}`, user_id: ADMIN, channel_id: ACME });
    await first.command({ text: 'settings prefix=acme/', user_id: ADMIN, channel_id: ACME });
    await first.close();

    const second = await startTestApp({ databaseUrl });
    try {
      const reply = await linkFor(second, BOB, ACME);
      expect(decodeURIComponent(urlFromReply(reply.json))).toContain('/acme/');
      const byCarol = await second.command({ text: 'access', user_id: CAROL, channel_id: ACME });
      expect(text(byCarol)).toContain(`Allowed in this channel: <@${BOB}>`);
    } finally {
      await second.close();
    }
  });
});

describe.skipIf(!hasPostgres())('two app instances on one PostgreSQL', () => {
  let db: FreshDatabase;
  let s3: LocalS3;
  let slack: FakeSlackApi;
  beforeEach(async () => {
    db = await freshPostgresDatabase(postgresUrlOrThrow());
    s3 = await startLocalS3();
    slack = await startFakeSlackApi();
  });
  afterEach(async () => {
    await s3.close();
    await slack.close();
    await db.drop();
  });

  it('a rule added through one takes effect on the other on the next request', async () => {
    const a = await startTestApp({ databaseUrl: db.url, s3, slack });
    const b = await startTestApp({ databaseUrl: db.url, s3, slack });
    try {
      expect(issued(await linkFor(b, BOB, ACME))).toBe(false);
      await a.command({ text: `allow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
      const reply = await linkFor(b, BOB, ACME);
      expect(issued(reply)).toBe(true);
      await b.command({ text: 'settings prefix=shared/acme/', user_id: ADMIN, channel_id: ACME });
      expect(decodeURIComponent(urlFromReply((await linkFor(a, BOB, ACME)).json))).toContain('/shared/acme/');
      await b.command({ text: `disallow ${mention(BOB)}`, user_id: ADMIN, channel_id: ACME });
      expect(issued(await linkFor(a, BOB, ACME))).toBe(false);
      const audit = await a.command({ text: 'audit', user_id: ADMIN, channel_id: ACME });
      expect(text(audit)).toContain('Last 7 events');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
