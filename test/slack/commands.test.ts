/**
 * What people really type, over real HTTP: slips never create a link (nothing made, nothing audited as issued),
 * help lists every form, and a lost reply never strands a link (`links`, Revoke from the list, audit ids).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REVOKE_LISTED_LINK_ACTION } from '../../src/slack/ids.js';
import { ADMIN, ALLOWED, SIGNING_SECRET, startTestApp, type TestApp } from '../support/app.js';
import { freshTriggerId, postSigned } from '../support/slack-request.js';

const PUBLIC_URL = 'https://upload.example.com';
const text = (reply: { json: Record<string, unknown> | undefined }) => String(reply.json?.text ?? '');

describe('slips never create a link', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it.each([
    [
      'alow <@U0SAM|sam>',
      [
        '"alow" isn\'t a command. Did you mean `allow`?',
        'Usage: `/upload-link allow @person @group … [#channel | everywhere]`',
      ],
    ],
    ['dissallow <@U0SAM|sam> <#C0ACME|acme>', ['Did you mean `disallow`?', 'Usage: `/upload-link disallow']],
    [
      'setings prefix=x/',
      ['Did you mean `settings`?', 'Usage: `/upload-link settings [#channel] [prefix=&lt;folder/&gt;]'],
    ],
    ['revok abc', ['Did you mean `revoke`?', 'Usage: `/upload-link revoke &lt;link id or partner page address&gt;`']],
    ['admin add <@U0ALICE|alice>', ['Did you mean `admins`?', 'Usage: `/upload-link admins [add | remove @person …]`']],
    [
      'report.pdf 2h extra',
      [
        'I read "report.pdf" as the file and 2h as its expiry, but "extra" is left over',
        '`/upload-link "report.pdf 2h extra"`',
        '`/upload-link report.pdf 2h`',
      ],
    ],
    ['report.pdf -1h', ['"-1h" isn\'t an expiry I can use']],
    ['"unterminated.pdf', ['The quote before "unterminated.pdf" is never closed', '`/upload-link "unterminated.pdf"`']],
    ['report.pdf 8d', ['"8d" is too long: at most 1 week here']],
    ['report.pdf 0m', ['"0m" is too short: at least 1 minute']],
    ['frobnicate', ['"frobnicate" isn\'t a command, and has no file extension', '`/upload-link "frobnicate"`']],
    ['report.pdf <@U0SAM|sam>', ['A file name can\'t contain a mention ("@sam")', '`/upload-link allow @sam`']],
    ['<!channel> invoice.pdf', ['A file name can\'t contain "@channel"']],
    ['report.pdf types=pdf', ['"types=pdf" is a setting, not a file name', '`/upload-link settings types=pdf`']],
  ])('%j: says what was understood and what to type, and creates nothing', async (typed, says) => {
    app = await startTestApp();
    const reply = await app.command({ text: typed, user_id: ADMIN });
    expect(reply.json?.response_type).toBe('ephemeral');
    for (const phrase of says) expect(text(reply)).toContain(phrase);
    expect(text(reply)).toContain('Nothing was created.');
    expect(reply.body).not.toContain('X-Amz');
    expect(await app.store.links.count({})).toBe(0);
    expect(await app.store.audit.list({ action: 'link.issued', limit: 5 })).toEqual([]);
  });

  it('escaped and typographic quotes make the name meant', async () => {
    app = await startTestApp();
    for (const [typed, name] of [
      ['"it\'s \\"quoted\\".pdf"', 'it\'s "quoted".pdf'],
      ['"the "final" version.pdf" 2h', 'the "final" version.pdf'],
      ['“Q3 figures.xlsx” 2h', 'Q3 figures.xlsx'],
    ]) {
      const reply = await app.command({ text: typed as string, user_id: ADMIN });
      expect(reply.body).toContain('X-Amz-Signature');
      const [link] = await app.store.links.list({ limit: 1 });
      expect(link?.filename).toBe(name);
    }
  });

  it('in a channel that accepts only pdf, a bare word is asked about first', async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    await app.command({ text: 'settings types=pdf', user_id: ADMIN });
    const reply = await app.command({ text: 'frobnicate', user_id: ADMIN });
    expect(text(reply)).toContain('"frobnicate" isn\'t a command');
    expect(text(reply)).not.toContain('accepts only');
  });

  it('help lists every form, and the admin part for admins', async () => {
    app = await startTestApp();
    const member = text(await app.command({ text: 'help', user_id: ALLOWED }));
    for (const form of ['once', '/upload-link links', '/upload-link revoke']) expect(member).toContain(form);
    expect(member).not.toContain('Admin commands');
    const admin = text(await app.command({ text: 'help', user_id: ADMIN }));
    expect(admin).toContain('Admin commands');
    expect(admin).toContain('/upload-link links [#channel | everywhere]');
  });
});

describe('words that match what happens', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('the reply promises the channel hears only where the bot is; elsewhere it says the notice comes by DM', async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    app.slack.handle('conversations.info', (args) =>
      args.channel === 'C0ACME'
        ? { ok: true, channel: { id: 'C0ACME', is_member: true } }
        : args.channel === 'C0OUTSIDE'
          ? { ok: true, channel: { id: 'C0OUTSIDE', is_member: false } }
          : { ok: false, error: 'channel_not_found' },
    );
    const inside = await app.command({ text: 'a.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    expect(inside.body).toContain('the channel hears when the file arrives.');
    for (const channel of ['C0OUTSIDE', 'G0PRIVATE', 'D0ALICE']) {
      const reply = await app.command({ text: 'a.pdf', user_id: ALLOWED, channel_id: channel });
      expect(reply.body).toContain("you'll hear by direct message when the file arrives");
      expect(reply.body).toContain('/invite @upload-link');
      expect(reply.body).not.toContain('the channel hears');
    }
  });
});

describe('a lost reply never strands a link', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  const idOf = (reply: { body: string }) => /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] as string;

  it('`links` lists your links here with their states and Revoke buttons; Revoke from the list updates it', async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    const first = idOf(await app.command({ text: 'first.pdf', user_id: ALLOWED }));
    const second = idOf(await app.command({ text: 'second.pdf', user_id: ALLOWED }));
    await app.command({ text: 'elsewhere.pdf', user_id: ALLOWED, channel_id: 'C0OTHER' });
    await app.command({ text: `revoke ${first}`, user_id: ALLOWED });

    const listing = await app.command({ text: 'links', user_id: ALLOWED });
    const body = listing.body;
    expect(text(listing)).toContain('Your links in <#C0ACME>');
    expect(body).toContain('*second.pdf*');
    expect(body).toContain('*first.pdf*');
    expect(body).not.toContain('elsewhere.pdf');
    expect(body).toMatch(/open, expires <!date/);
    expect(body).toMatch(/revoked <!date/);
    expect(body).toContain(second);
    // One Revoke button: the open link's.
    expect(body.split(REVOKE_LISTED_LINK_ACTION)).toHaveLength(2);

    const button = JSON.parse(body).blocks.find((b: { accessory?: { action_id: string } }) => b.accessory)?.accessory;
    const payload = {
      type: 'block_actions',
      user: { id: ALLOWED, username: 'alice', team_id: 'T0TEAM' },
      team: { id: 'T0TEAM', domain: 'example' },
      api_app_id: 'A0APP',
      token: 'x',
      trigger_id: freshTriggerId(),
      response_url: `${app.slack.url}respond/T0TEAM/2/list`,
      container: { type: 'message', is_ephemeral: true },
      channel: { id: 'C0ACME', name: 'acme' },
      actions: [
        {
          type: 'button',
          action_id: REVOKE_LISTED_LINK_ACTION,
          block_id: 'b',
          value: button.value,
          action_ts: freshTriggerId(),
        },
      ],
    };
    const pressed = await postSigned(
      `${app.baseUrl}/slack/events`,
      SIGNING_SECRET,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    );
    expect(pressed.status).toBe(200);
    const updated = await app.slack.waitForCall('respond/T0TEAM/2/list');
    expect(updated.args.replace_original).toBe(true);
    expect(String(updated.args.text)).toContain('Revoked: the partner page for *second.pdf*');
    expect(JSON.stringify(updated.args.blocks)).not.toContain(REVOKE_LISTED_LINK_ACTION);
    expect(app.logs.some((line) => line.includes(`link revoked user=${ALLOWED} link=${second}`))).toBe(true);
  });

  it('admins list a channel or every channel; others are told what they can list', async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    await app.command({ text: 'alice.pdf', user_id: ALLOWED });
    await app.command({ text: 'other.pdf', user_id: ALLOWED, channel_id: 'C0OTHER' });
    const everywhere = await app.command({ text: 'links everywhere', user_id: ADMIN });
    expect(everywhere.body).toContain('*alice.pdf* in <#C0ACME> by <@U0ALICE>');
    expect(everywhere.body).toContain('*other.pdf* in <#C0OTHER>');
    const channel = await app.command({ text: 'links <#C0OTHER|other>', user_id: ADMIN });
    expect(channel.body).toContain('other.pdf');
    expect(channel.body).not.toContain('alice.pdf');
    const refused = await app.command({ text: 'links everywhere', user_id: ALLOWED });
    expect(text(refused)).toContain('Only admins');
    expect(text(refused)).toContain('shows your own links in this channel');
  });

  it('the audit names the link id, so `revoke <id>` can be found from it', async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    const id = idOf(await app.command({ text: 'report.pdf', user_id: ALLOWED }));
    const audit = text(await app.command({ text: 'audit', user_id: ADMIN }));
    expect(audit).toContain(`(link \`${id}\`)`);
  });

  it('`revoke` says what is wrong with what was typed', async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    const notAnId = text(await app.command({ text: 'revoke abc', user_id: ALLOWED }));
    expect(notAnId).toContain('"abc" isn\'t a link id');
    const elsewhere = text(
      await app.command({
        text: 'revoke <https://elsewhere.example/u/AAAAAAAAAAAAAAAAAAAAAA>',
        user_id: ALLOWED,
      }),
    );
    expect(elsewhere).toContain("isn't one of this bot's partner pages");
    const bare = text(await app.command({ text: 'revoke', user_id: ALLOWED }));
    expect(bare).toContain('Give the link to revoke');
  });
});
