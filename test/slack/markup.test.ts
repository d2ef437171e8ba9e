/**
 * Hostile file names through every surface: a name typed as `<!channel> <!here> <@U0ADMIN> <!subteam^S0ALL>
 * invoice.pdf` (Slack sends it as `&lt;!channel&gt;…`) or `<mailto:…|Download the signed contract>.pdf` must show
 * as text everywhere the bot writes: the reply, the arrival message, the DM fallback, the revoke reply, admin
 * replies, the audit, `links`, the App Home and the CLI. What Slack receives is checked exactly: no mrkdwn field
 * carries live markup, and rich text carries the name only in text elements.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../src/bootstrap.js';
import { runCli } from '../../src/cli/run.js';
import { ADMIN, ALLOWED, SIGNING_SECRET, startTestApp, type TestApp } from '../support/app.js';
import { postSigned } from '../support/slack-request.js';

const PUBLIC_URL = 'https://upload.example.com';

/** What the user typed, and what Slack posts for it with should_escape: true (`&`, `<`, `>` as entities). */
// (U0VICTIM: nobody the bot names for a reason of its own, unlike the admins its replies mention.)
const PINGS = '<!channel> <!here> <@U0VICTIM> <!subteam^S0ALL> invoice.pdf';
const PHISH = '<mailto:billing@evil.example|Download the signed contract>.pdf';
const asSlackSends = (typed: string) => typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Markup that must never reach Slack live. */
const LIVE = ['<!channel>', '<!here>', '<@U0VICTIM>', '<!subteam^S0ALL>', '<mailto:'];

/** Every mrkdwn string in a Slack payload: top-level `text` (notifications, fallbacks) and mrkdwn text objects. */
function mrkdwnStrings(payload: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string | undefined, parent: Record<string, unknown> | undefined) => {
    if (typeof value === 'string') {
      if (key === 'text' && (parent === undefined || parent.type === 'mrkdwn' || parent.type === undefined)) {
        found.push(value);
      }
      return;
    }
    if (Array.isArray(value)) for (const item of value) walk(item, undefined, undefined);
    else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      // Rich text and plain_text are never read as markup.
      if (record.type === 'rich_text' || record.type === 'plain_text') return;
      for (const [k, v] of Object.entries(record)) walk(v, k, record);
    }
  };
  walk(payload, undefined, undefined);
  return found;
}

/** Rich-text elements that would notify someone or link somewhere: only the requester's mention is expected. */
function liveRichElements(payload: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value !== null && typeof value === 'object') {
      const r = value as Record<string, unknown>;
      if (r.type === 'broadcast' || r.type === 'usergroup' || r.type === 'link') found.push(JSON.stringify(r));
      if (r.type === 'user' && r.user_id === 'U0VICTIM') found.push(JSON.stringify(r));
      for (const v of Object.values(r)) walk(v);
    }
  };
  walk(payload);
  return found;
}

function expectOnlyText(where: string, payload: unknown) {
  for (const text of mrkdwnStrings(payload)) {
    for (const live of LIVE) expect(text, `${where}: ${text}`).not.toContain(live);
  }
  expect(liveRichElements(payload), where).toEqual([]);
}

describe('hostile names are shown as text on every surface', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it.each([
    ['pings', PINGS],
    ['a disguised link', PHISH],
  ])('%s', async (_, typed) => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    app.slack.handle('chat.postMessage', (args) =>
      args.channel === 'C0PRIVATE' ? { ok: false, error: 'not_in_channel' } : { ok: true, ts: '1.2' },
    );
    app.slack.handle('conversations.open', () => ({ ok: true, channel: { id: 'D0ALICE' } }));

    // The reply.
    const reply = await app.command({ text: asSlackSends(typed), user_id: ALLOWED });
    expect(reply.body).toContain('X-Amz-Signature');
    expectOnlyText('reply', reply.json);
    const [link] = await app.store.links.list({ limit: 1 });
    expect(link?.filename).toBe(typed);
    const id = link?.id as string;

    // The arrival in the channel, through the partner page.
    const arrive = async (linkId: string) => {
      const signed = (await (
        await fetch(`${app.baseUrl}/u/${linkId}/sign`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x.pdf', size: 3 }),
        })
      ).json()) as { url: string; headers: Record<string, string> };
      expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'abc' })).status).toBe(200);
      expect((await fetch(`${app.baseUrl}/u/${linkId}/complete`, { method: 'POST' })).status).toBe(200);
    };
    await arrive(id);
    const posted = await app.slack.waitForCall('chat.postMessage', { match: (c) => c.args.channel === 'C0ACME' });
    expectOnlyText('arrival', posted.args);
    expect(JSON.stringify(posted.args.blocks)).toContain(JSON.stringify(typed).slice(1, -1));

    // The DM fallback, where the bot cannot post.
    await app.command({ text: asSlackSends(typed), user_id: ALLOWED, channel_id: 'C0PRIVATE' });
    const [privateLink] = await app.store.links.list({ channelId: 'C0PRIVATE', limit: 1 });
    await arrive(privateLink?.id as string);
    const dm = await app.slack.waitForCall('chat.postMessage', { match: (c) => c.args.channel === 'D0ALICE' });
    expectOnlyText('direct message', dm.args);

    // Revoke, admin replies, the audit, links.
    expectOnlyText('revoke', (await app.command({ text: `revoke ${id}`, user_id: ALLOWED })).json);
    expectOnlyText('audit', (await app.command({ text: 'audit', user_id: ADMIN })).json);
    expectOnlyText('links', (await app.command({ text: 'links', user_id: ALLOWED })).json);
    expectOnlyText('links everywhere', (await app.command({ text: 'links everywhere', user_id: ADMIN })).json);

    // The App Home's recent links.
    const before = app.slack.calls.length;
    const event = {
      token: 'x',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      event: { type: 'app_home_opened', user: ALLOWED, channel: 'D0HOME', tab: 'home', event_ts: '1700000000.1' },
      type: 'event_callback',
      event_id: 'Ev0MARKUP',
      event_time: Math.floor(Date.now() / 1000),
    };
    await postSigned(`${app.baseUrl}${SLACK_EVENTS_PATH}`, SIGNING_SECRET, JSON.stringify(event), {
      contentType: 'application/json',
    });
    const home = await app.slack.waitForCall('views.publish', { after: before });
    expectOnlyText('home', home.args.view);

    // The CLI prints the name as it is: plain text, nothing for a terminal to interpret.
    const out: string[] = [];
    const database = app.config.database;
    if (database.dialect !== 'sqlite') throw new Error('expected SQLite');
    const code = await runCli(
      ['audit'],
      { DATABASE_URL: `sqlite:${database.path}` },
      {
        out: (t) => out.push(t),
        err: (t) => out.push(t),
      },
    );
    expect(code).toBe(0);
    expect(out.join('')).toContain(`\`${link?.key}\``);
  });

  it('a control character that reached the audit is shown escaped in the terminal', async () => {
    app = await startTestApp();
    await app.store.audit.record(
      { actor: 'U0EVE', action: 'link.refused', channelId: 'C0ACME', detail: { filename: 'a\u001b[2Jb.pdf' } },
      new Date(),
    );
    const database = app.config.database;
    if (database.dialect !== 'sqlite') throw new Error('expected SQLite');
    const out: string[] = [];
    await runCli(['audit'], { DATABASE_URL: `sqlite:${database.path}` }, { out: (t) => out.push(t), err: () => {} });
    expect(out.join('')).toContain('a\\u001b[2Jb.pdf');
    expect(out.join('')).not.toContain('\u001b');
  });
});
