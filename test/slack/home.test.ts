/**
 * The App Home over real HTTP: signed events and interactions in, the views the fake Web API receives out, and
 * the rules checked by what `/upload-link` then does.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AccessEntry, EVERYWHERE } from '../../src/core/model.js';
import { SLACK_EVENTS_PATH } from '../../src/slack/app.js';
import {
  EVERYWHERE_OPTION,
  HOME_ACTIONS,
  HOME_CALLBACK_ID,
  HOME_INPUTS,
  REVOKE_HOME_LINK_ACTION,
  SETTINGS_MODAL,
} from '../../src/slack/ids.js';
import { homeMessages } from '../../src/slack/listeners/home/index.js';
import { adminMessages } from '../../src/slack/views/admin-reply.js';
import { MAX_VIEW_BLOCKS as MAX_BLOCKS } from '../../src/slack/views/blocks.js';
import { buildAdminHomeView } from '../../src/slack/views/home-admin.js';
import { parseSettingsForm } from '../../src/slack/views/settings-modal.js';
import { entryValue, parseEntryValue } from '../../src/slack/views/values.js';
import { ADMIN, ALLOWED, SIGNING_SECRET, STRANGER, startTestApp, type TestApp, urlFromReply } from '../support/app.js';
import type { RecordedCall } from '../support/slack-api.js';
import { freshTriggerId, postSigned } from '../support/slack-request.js';

const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const DAVE = 'U0DAVE';
const PARTNERS = 'S0PARTNERS';
const TRIGGER_ID = '12345.98765.abcd2358fdea';

// ---------------------------------------------------------------------------------------------------------------
// Requests as Slack sends them

let eventCounter = 0;

/** An Events API callback: JSON, signed like every request. */
function homeOpened(app: TestApp, user: string) {
  eventCounter += 1;
  const body = {
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    event: { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `1700000000.00${eventCounter}` },
    type: 'event_callback',
    event_id: `Ev0HOME${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
  };
  return postSigned(`${app.baseUrl}${SLACK_EVENTS_PATH}`, SIGNING_SECRET, JSON.stringify(body), {
    contentType: 'application/json',
  });
}

/** Interactions are form-encoded: one `payload` field holding JSON. */
function interaction(app: TestApp, payload: Record<string, unknown>) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(`${app.baseUrl}${SLACK_EVENTS_PATH}`, SIGNING_SECRET, body);
}

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: 'T0TEAM' });

/** A button pressed on the Home tab, with the pickers' state as Slack reports it. */
function pressButton(
  app: TestApp,
  userId: string,
  button: { action_id: string; value?: string | undefined },
  values: StateValues = {},
) {
  return interaction(app, {
    type: 'block_actions',
    user: user(userId),
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: { type: 'view', view_id: 'V0HOME' },
    trigger_id: TRIGGER_ID,
    team: { id: 'T0TEAM', domain: 'example' },
    is_enterprise_install: false,
    view: {
      id: 'V0HOME',
      team_id: 'T0TEAM',
      type: 'home',
      callback_id: HOME_CALLBACK_ID,
      blocks: [],
      private_metadata: '',
      state: { values },
      hash: '1700000000.abc',
      app_id: 'A0APP',
      bot_id: 'B0BOT',
    },
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'button' },
        ...(button.value === undefined ? {} : { value: button.value }),
        // Each click is its own: Slack stamps it (so a second press is never a replay of the first).
        action_ts: freshTriggerId(),
      },
    ],
  });
}

/** The pickers of the "Give access" form. */
function allowState(picked: { users?: string[]; group?: string; channel?: string; everywhere?: boolean }): StateValues {
  return {
    [HOME_INPUTS.allowUsers.blockId]: {
      [HOME_INPUTS.allowUsers.actionId]: { type: 'multi_users_select', selected_users: picked.users ?? [] },
    },
    [HOME_INPUTS.allowGroup.blockId]: {
      [HOME_INPUTS.allowGroup.actionId]: {
        type: 'static_select',
        selected_option:
          picked.group === undefined ? null : { text: { type: 'plain_text', text: '@group' }, value: picked.group },
      },
    },
    [HOME_INPUTS.allowChannel.blockId]: {
      [HOME_INPUTS.allowChannel.actionId]: {
        type: 'conversations_select',
        selected_conversation: picked.channel ?? null,
      },
    },
    [HOME_INPUTS.allowEverywhere.blockId]: {
      [HOME_INPUTS.allowEverywhere.actionId]: {
        type: 'checkboxes',
        selected_options: picked.everywhere
          ? [{ text: { type: 'plain_text', text: 'Everywhere' }, value: EVERYWHERE_OPTION }]
          : [],
      },
    },
  };
}

/** The settings modal submitted; `null` is how Slack reports an empty text input. */
function submitSettings(
  app: TestApp,
  userId: string,
  channelId: string,
  fields: {
    prefix?: string | null;
    defaultExpiry?: string | null;
    maxExpiry?: string | null;
    maxSize?: string | null;
    types?: string | null;
  },
) {
  const text = (value: string | null | undefined) => ({ type: 'plain_text_input', value: value ?? null });
  return interaction(app, {
    type: 'view_submission',
    team: { id: 'T0TEAM', domain: 'example' },
    user: user(userId),
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    trigger_id: freshTriggerId(),
    is_enterprise_install: false,
    view: {
      id: 'V0MODAL',
      team_id: 'T0TEAM',
      type: 'modal',
      callback_id: SETTINGS_MODAL.callbackId,
      private_metadata: channelId,
      blocks: [],
      title: { type: 'plain_text', text: 'Channel settings' },
      state: {
        values: {
          [SETTINGS_MODAL.prefix.blockId]: { [SETTINGS_MODAL.prefix.actionId]: text(fields.prefix) },
          [SETTINGS_MODAL.defaultExpiry.blockId]: {
            [SETTINGS_MODAL.defaultExpiry.actionId]: text(fields.defaultExpiry),
          },
          [SETTINGS_MODAL.maxExpiry.blockId]: { [SETTINGS_MODAL.maxExpiry.actionId]: text(fields.maxExpiry) },
          [SETTINGS_MODAL.maxSize.blockId]: { [SETTINGS_MODAL.maxSize.actionId]: text(fields.maxSize) },
          [SETTINGS_MODAL.types.blockId]: { [SETTINGS_MODAL.types.actionId]: text(fields.types) },
        },
      },
      hash: '1700000000.def',
      app_id: 'A0APP',
      bot_id: 'B0BOT',
      root_view_id: 'V0MODAL',
      previous_view_id: null,
      clear_on_close: false,
      notify_on_close: false,
    },
    response_urls: [],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading views the way Slack would show them

interface Element {
  type: string;
  action_id?: string;
  value?: string;
  text?: { text: string };
  options?: { text: { text: string }; value: string }[];
}

interface Block {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  accessory?: Element;
  element?: Element;
  elements?: (Element & { text?: string | { text: string } })[];
  label?: { text: string };
  hint?: { text: string };
}

interface View {
  type: string;
  callback_id?: string;
  private_metadata?: string;
  blocks: Block[];
}

const viewOf = (call: RecordedCall) => call.args.view as View;

/** What happens after the HTTP request was acknowledged: wait for the view published to `userId`. */
async function publishedTo(app: TestApp, userId: string, after: number): Promise<View> {
  const call = await app.slack.waitForCall('views.publish', { after, match: (c) => c.args.user_id === userId });
  return viewOf(call);
}

const sectionsWith = (view: View, text: string) =>
  view.blocks.filter((b) => b.type === 'section' && b.text?.text.includes(text));

const viewText = (view: View) => JSON.stringify(view);

/** Open the Home tab as `userId` and return the view published in answer. */
async function openHome(app: TestApp, userId: string): Promise<View> {
  const before = app.slack.calls.length;
  const response = await homeOpened(app, userId);
  expect(response.status).toBe(200);
  return publishedTo(app, userId, before);
}

/** Press a button, then wait for the actor's re-published Home tab. */
async function press(
  app: TestApp,
  userId: string,
  button: { action_id: string; value?: string | undefined },
  values: StateValues = {},
): Promise<View> {
  const before = app.slack.calls.length;
  const response = await pressButton(app, userId, button, values);
  expect(response.status).toBe(200);
  expect(response.body).toBe('');
  return publishedTo(app, userId, before);
}

/** Every Block Kit limit the views must respect. */
function expectWithinLimits(view: View) {
  expect(view.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  for (const block of view.blocks) {
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    if (block.label) expect(block.label.text.length).toBeLessThanOrEqual(150);
    const elements = [block.accessory, block.element, ...(block.elements ?? [])].filter((e) => e !== undefined);
    for (const element of elements) {
      if (element.type === 'button') expect((element.text as { text: string }).text.length).toBeLessThanOrEqual(75);
      if (element.type === 'mrkdwn') expect(String(element.text).length).toBeLessThanOrEqual(3000);
      if (element.options) {
        expect(element.options.length).toBeLessThanOrEqual(100);
        for (const option of element.options) expect(option.text.text.length).toBeLessThanOrEqual(75);
      }
    }
  }
}

const at = new Date('2030-01-02T03:04:05Z');

async function startHomeApp(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const app = await startTestApp(options);
  app.slack.handle('views.publish', () => ({ ok: true, view: { id: 'V0HOME' } }));
  app.slack.handle('views.open', () => ({ ok: true, view: { id: 'V0MODAL' } }));
  app.slack.handle('usergroups.list', () => ({
    ok: true,
    usergroups: [
      { id: PARTNERS, handle: 'partners', name: 'Partners' },
      { id: 'S0LEGAL', handle: 'legal', name: 'Legal team' },
    ],
  }));
  return app;
}

/** A user group directory for the app, standing in for usergroups.users.list. */
const groupsWith = (members: Record<string, string[]>) => ({
  members: async (groupId: string) => new Set(members[groupId] ?? []),
});

// ---------------------------------------------------------------------------------------------------------------

describe('App Home over real HTTP', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
    // Listener failures after the ack only show in the log: there must be none.
    expect(app?.logs.filter((line) => / ERROR /.test(line)) ?? []).toEqual([]);
  });

  it('publishes the admin view: admins, everywhere entries, each channel with entries and settings, and the pickers', async () => {
    app = await startHomeApp();
    await app.store.entries.allow([{ type: 'user', id: BOB }], 'C0ACME', ADMIN, at);
    await app.store.entries.allow([{ type: 'usergroup', id: PARTNERS }], EVERYWHERE, ADMIN, at);
    await app.store.admins.add(CAROL, ADMIN, at);
    await app.store.settings.update('C0OTHER', { keyPrefix: 'partners/other/' }, ADMIN, at);

    const view = await openHome(app, ADMIN);
    expect(view.type).toBe('home');
    expectWithinLimits(view);

    // Admins: the configured one marked as such and not removable; the Slack-added one with a Remove button.
    const [configAdmins] = sectionsWith(view, `<@${ADMIN}>`);
    expect(configAdmins?.text?.text).toContain('ADMIN_USER_IDS');
    expect(configAdmins?.accessory).toBeUndefined();
    const [carol] = sectionsWith(view, `<@${CAROL}>`);
    expect(carol?.accessory).toMatchObject({ action_id: HOME_ACTIONS.removeAdmin, value: CAROL });

    // Everywhere: ALLOWED_USER_IDS marked as configuration; the group entry removable.
    const [configAllowed] = sectionsWith(view, `<@${ALLOWED}>`);
    expect(configAllowed?.text?.text).toContain('ALLOWED_USER_IDS');
    expect(configAllowed?.accessory).toBeUndefined();
    const [group] = sectionsWith(view, `<!subteam^${PARTNERS}>`);
    expect(group?.accessory?.action_id).toBe(HOME_ACTIONS.removeEntry);
    expect(parseEntryValue(group?.accessory?.value)).toEqual({ type: 'usergroup', id: PARTNERS, scope: EVERYWHERE });

    // Channels: #acme with bob's entry and default settings, #other with its own prefix; each editable.
    const [bob] = sectionsWith(view, `<@${BOB}>`);
    expect(bob?.accessory?.action_id).toBe(HOME_ACTIONS.removeEntry);
    expect(parseEntryValue(bob?.accessory?.value)).toEqual({ type: 'user', id: BOB, scope: 'C0ACME' });
    const [acme] = sectionsWith(view, '*<#C0ACME>*');
    expect(acme?.text?.text).toContain('prefix: `uploads/C0ACME/` (default)');
    expect(acme?.text?.text).toContain('max expiry: 1 week (default)');
    expect(acme?.accessory).toMatchObject({ action_id: HOME_ACTIONS.editSettings, value: 'C0ACME' });
    const [other] = sectionsWith(view, '*<#C0OTHER>*');
    expect(other?.text?.text).toContain('prefix: `partners/other/`\n');
    expect(other?.accessory).toMatchObject({ action_id: HOME_ACTIONS.editSettings, value: 'C0OTHER' });
    expect(view.blocks.indexOf(bob as Block)).toBeGreaterThan(view.blocks.indexOf(acme as Block));
    expect(view.blocks.indexOf(bob as Block)).toBeLessThan(view.blocks.indexOf(other as Block));

    // The "give access" row: people, a group picker filled from usergroups.list, a channel, everywhere, Allow.
    const byBlockId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect(byBlockId.get(HOME_INPUTS.allowUsers.blockId)?.element?.type).toBe('multi_users_select');
    expect(byBlockId.get(HOME_INPUTS.allowGroup.blockId)?.element?.options).toEqual([
      { text: expect.objectContaining({ text: '@legal (Legal team)' }), value: 'S0LEGAL' },
      { text: expect.objectContaining({ text: '@partners (Partners)' }), value: PARTNERS },
    ]);
    expect(byBlockId.get(HOME_INPUTS.allowChannel.blockId)?.element?.type).toBe('conversations_select');
    expect(byBlockId.get(HOME_INPUTS.allowEverywhere.blockId)?.element?.options?.[0]?.value).toBe(EVERYWHERE_OPTION);
    expect(byBlockId.get(HOME_INPUTS.adminUsers.blockId)?.element?.type).toBe('multi_users_select');
    const buttons = view.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
    expect(buttons.map((b) => b.action_id)).toEqual([HOME_ACTIONS.addAdmin, HOME_ACTIONS.allow]);

    const publish = app.slack.calls.find((c) => c.method === 'views.publish');
    expect(publish?.token).toBe(app.config.slack.botToken);
    expect(app.slack.calls.some((c) => c.method === 'usergroups.list')).toBe(true);
  });

  it('leaves out the group picker and says why when usergroups.list fails', async () => {
    app = await startHomeApp();
    app.slack.handle('usergroups.list', () => ({ ok: false, error: 'paid_teams_only' }));
    const view = await openHome(app, ADMIN);
    expect(view.blocks.some((b) => b.block_id === HOME_INPUTS.allowGroup.blockId)).toBe(false);
    expect(viewText(view)).toContain('No user-group picker: user groups need a paid Slack plan');
    expect(view.blocks.some((b) => b.block_id === HOME_INPUTS.allowUsers.blockId)).toBe(true);
  });

  it('publishes the member view: where they may create links, whom to ask, their recent links, and no URL', async () => {
    app = await startHomeApp({ groups: groupsWith({ [PARTNERS]: [BOB] }) });
    await app.store.entries.allow([{ type: 'user', id: BOB }], 'C0ACME', ADMIN, at);
    await app.store.entries.allow([{ type: 'usergroup', id: PARTNERS }], 'C0OTHER', ADMIN, at);
    await app.store.entries.allow([{ type: 'user', id: CAROL }], 'C0SECRET', ADMIN, at);
    await app.store.admins.add(CAROL, ADMIN, at);
    const reply = await app.command({ text: 'q3-report.pdf', user_id: BOB, channel_id: 'C0ACME' });
    const url = urlFromReply(reply.json);
    const [issued] = await app.store.audit.list({ actor: BOB, action: 'link.issued', limit: 1 });
    const key = String(issued?.detail.key);

    const view = await openHome(app, BOB);
    expectWithinLimits(view);
    const text = viewText(view);
    const [where] = sectionsWith(view, '*Where you can create upload links*');
    expect(where?.text?.text).toContain('<#C0ACME>');
    expect(where?.text?.text).toContain(`<#C0OTHER> (through <!subteam^${PARTNERS}>)`);
    expect(where?.text?.text).not.toContain('C0SECRET');
    const [ask] = sectionsWith(view, 'Need access somewhere else?');
    expect(ask?.text?.text).toContain(`<@${ADMIN}>, <@${CAROL}>`);
    const [link] = sectionsWith(view, '*q3-report.pdf* in <#C0ACME>');
    expect(link?.text?.text).toContain(key);
    expect(link?.text?.text).toMatch(/expires <!date\^\d+\^/);

    expect(text).not.toContain(url);
    expect(text).not.toMatch(/https?:|X-Amz/i);
    for (const id of Object.values(HOME_ACTIONS)) expect(text).not.toContain(id);
    expect(app.slack.calls.some((c) => c.method === 'usergroups.list')).toBe(false);
  });

  it('"Your recent links" shows each link\'s state, and an open one\'s Revoke button revokes it from the Home tab', async () => {
    app = await startHomeApp({ env: { PUBLIC_URL: 'https://upload.example.com' } });
    await app.store.entries.allow([{ type: 'user', id: BOB }], 'C0ACME', ADMIN, at);
    const idOf = (reply: { body: string }) => /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] as string;
    const kept = idOf(await app.command({ text: 'kept.pdf', user_id: BOB, channel_id: 'C0ACME' }));
    const gone = idOf(await app.command({ text: 'gone.pdf', user_id: BOB, channel_id: 'C0ACME' }));
    await app.command({ text: `revoke ${gone}`, user_id: BOB });

    const view = await openHome(app, BOB);
    const [keptRow] = sectionsWith(view, '*kept.pdf*');
    const [goneRow] = sectionsWith(view, '*gone.pdf*');
    expect(keptRow?.text?.text).toMatch(/open, expires <!date/);
    expect(keptRow?.accessory?.action_id).toBe(REVOKE_HOME_LINK_ACTION);
    expect(goneRow?.text?.text).toMatch(/revoked <!date/);
    expect(goneRow?.accessory).toBeUndefined();

    const after = await press(app, BOB, { action_id: REVOKE_HOME_LINK_ACTION, value: kept });
    expect(viewText(after)).toContain('Revoked: the partner page for *kept.pdf*');
    expect(sectionsWith(after, '*kept.pdf*')[0]?.accessory).toBeUndefined();
    expect((await app.store.links.get(kept))?.revokedAt).toBeDefined();
  });

  it('tells someone with no access that they have none yet, and whom to ask', async () => {
    app = await startHomeApp();
    const view = await openHome(app, STRANGER);
    expect(sectionsWith(view, '*Where you can create upload links*')[0]?.text?.text).toContain('Nowhere yet.');
    expect(sectionsWith(view, 'Need access somewhere else?')[0]?.text?.text).toContain(`<@${ADMIN}>`);
    expect(viewText(view)).toContain('None yet.');

    const configured = await openHome(app, ALLOWED);
    expect(sectionsWith(configured, 'Where you can create')[0]?.text?.text).toContain(
      'In every channel (bot configuration).',
    );
  });

  it("an admin's Allow with people and a channel picked adds the rule: that person then gets a link there, audited", async () => {
    app = await startHomeApp();
    const view = await press(
      app,
      ADMIN,
      { action_id: HOME_ACTIONS.allow, value: 'allow' },
      allowState({ users: [BOB], channel: 'C0ACME' }),
    );
    expect(viewText(view)).toContain(`:white_check_mark: <@${BOB}> may now create upload links in <#C0ACME>.`);
    expect(parseEntryValue(sectionsWith(view, `<@${BOB}>\n`)[0]?.accessory?.value)).toEqual({
      type: 'user',
      id: BOB,
      scope: 'C0ACME',
    });

    const reply = await app.command({ text: 'report.pdf', user_id: BOB, channel_id: 'C0ACME' });
    const upload = await fetch(urlFromReply(reply.json), { method: 'PUT', body: 'from bob' });
    expect(upload.status).toBe(200);
    const elsewhere = await app.command({ text: 'report.pdf', user_id: BOB, channel_id: 'C0OTHER' });
    expect(elsewhere.body).toContain("You can't create upload links here");

    const audit = await app.store.audit.list({ action: 'access.allow', limit: 10 });
    expect(audit).toMatchObject([
      { actor: ADMIN, channelId: 'C0ACME', detail: { scope: 'C0ACME', subjects: [`user:${BOB}`] } },
    ]);
  });

  it('a user group picked with Everywhere allows its members in every channel', async () => {
    app = await startHomeApp({ groups: groupsWith({ [PARTNERS]: [DAVE] }) });
    const view = await press(
      app,
      ADMIN,
      { action_id: HOME_ACTIONS.allow },
      allowState({ group: PARTNERS, everywhere: true }),
    );
    expect(viewText(view)).toContain(`<!subteam^${PARTNERS}> may now create upload links in every channel.`);
    expect(await app.store.entries.list()).toMatchObject([{ type: 'usergroup', id: PARTNERS, scope: EVERYWHERE }]);
    const reply = await app.command({ text: 'report.pdf', user_id: DAVE, channel_id: 'C0RANDOM' });
    expect(urlFromReply(reply.json)).toMatch(/^http/);
  });

  it('an incomplete Allow says what is missing and changes nothing', async () => {
    app = await startHomeApp();
    const cases: [Parameters<typeof allowState>[0], string][] = [
      [{ channel: 'C0ACME' }, homeMessages.pickSubjects],
      [{ users: [BOB] }, homeMessages.pickTarget],
      [{ users: [BOB], channel: 'C0ACME', everywhere: true }, homeMessages.pickOneTarget],
    ];
    for (const [picked, message] of cases) {
      const view = await press(app, ADMIN, { action_id: HOME_ACTIONS.allow }, allowState(picked));
      expect(viewText(view)).toContain(message);
      expect(sectionsWith(view, '*Channels*')[0]?.text?.text).toContain(
        'No channel has its own entries or settings yet. Every channel uses the defaults:\n• prefix: `uploads/&lt;channel id&gt;/`',
      );
    }
    expect(await app.store.entries.list()).toEqual([]);
    expect(await app.store.audit.list({ limit: 10 })).toEqual([]);
  });

  it("a Remove button from the published view removes that rule, and an admin's Remove removes that admin", async () => {
    app = await startHomeApp();
    await app.store.entries.allow([{ type: 'user', id: BOB }], 'C0ACME', ADMIN, at);
    await app.store.admins.add(CAROL, ADMIN, at);
    expect((await app.command({ text: 'report.pdf', user_id: BOB, channel_id: 'C0ACME' })).body).toContain('X-Amz');

    const home = await openHome(app, ADMIN);
    const remove = sectionsWith(home, `<@${BOB}>\n`)[0]?.accessory;
    expect(remove?.action_id).toBe(HOME_ACTIONS.removeEntry);
    const after = await press(app, ADMIN, { action_id: remove?.action_id ?? '', value: remove?.value });
    expect(viewText(after)).toContain(`:no_entry: <@${BOB}> may no longer create upload links in <#C0ACME>.`);
    expect(sectionsWith(after, `<@${BOB}>\n`)).toEqual([]);
    expect(await app.store.entries.list()).toEqual([]);
    expect((await app.command({ text: 'report.pdf', user_id: BOB, channel_id: 'C0ACME' })).body).toContain(
      "You can't create upload links here",
    );
    expect(await app.store.audit.list({ action: 'access.disallow', limit: 10 })).toMatchObject([
      { actor: ADMIN, channelId: 'C0ACME', detail: { subjects: [`user:${BOB}`] } },
    ]);

    const removeAdmin = sectionsWith(after, `<@${CAROL}>\n`)[0]?.accessory;
    const afterAdmin = await press(app, ADMIN, { action_id: HOME_ACTIONS.removeAdmin, value: removeAdmin?.value });
    expect(viewText(afterAdmin)).toContain(`:no_entry: <@${CAROL}> is no longer an admin.`);
    expect(await app.store.admins.has(CAROL)).toBe(false);

    const added = await press(
      app,
      ADMIN,
      { action_id: HOME_ACTIONS.addAdmin, value: 'add' },
      { [HOME_INPUTS.adminUsers.blockId]: { [HOME_INPUTS.adminUsers.actionId]: { selected_users: [DAVE] } } },
    );
    expect(viewText(added)).toContain(`:white_check_mark: <@${DAVE}> is now an admin.`);
    expect(await app.store.admins.has(DAVE)).toBe(true);
  });

  it('a non-admin sending the same actions changes nothing and is told who the admins are', async () => {
    app = await startHomeApp();
    await app.store.entries.allow([{ type: 'user', id: BOB }], 'C0ACME', ADMIN, at);
    await app.store.admins.add(CAROL, ADMIN, at);
    const entries = await app.store.entries.list();
    const audit = await app.store.audit.list({ limit: 100 });

    const attempts: [{ action_id: string; value?: string }, StateValues][] = [
      [{ action_id: HOME_ACTIONS.allow }, allowState({ users: [STRANGER], channel: 'C0ACME' })],
      [{ action_id: HOME_ACTIONS.allow }, allowState({ users: [STRANGER], everywhere: true })],
      [{ action_id: HOME_ACTIONS.removeEntry, value: entryValue({ type: 'user', id: BOB, scope: 'C0ACME' }) }, {}],
      [
        { action_id: HOME_ACTIONS.addAdmin },
        { [HOME_INPUTS.adminUsers.blockId]: { [HOME_INPUTS.adminUsers.actionId]: { selected_users: [STRANGER] } } },
      ],
      [{ action_id: HOME_ACTIONS.removeAdmin, value: CAROL }, {}],
      [{ action_id: HOME_ACTIONS.editSettings, value: 'C0ACME' }, {}],
    ];
    for (const who of [STRANGER, BOB]) {
      for (const [button, values] of attempts) {
        const view = await press(app, who, button, values);
        expect(viewText(view)).toContain(adminMessages.notAdmin([ADMIN, CAROL]));
        expect(viewText(view)).not.toContain(HOME_ACTIONS.allow);
      }
    }

    expect(await app.store.entries.list()).toEqual(entries);
    expect(await app.store.audit.list({ limit: 100 })).toEqual(audit);
    expect(await app.store.admins.has(STRANGER)).toBe(false);
    expect(await app.store.admins.has(CAROL)).toBe(true);
    expect(app.slack.calls.some((c) => c.method === 'views.open')).toBe(false);
    const reply = await app.command({ text: 'report.pdf', user_id: STRANGER, channel_id: 'C0ACME' });
    expect(reply.body).toContain("You can't create upload links here");
  });

  it('Edit settings opens the modal; a bad value is refused next to its field, a good one changes where keys land', async () => {
    app = await startHomeApp();
    await app.store.entries.allow([{ type: 'user', id: BOB }], 'C0ACME', ADMIN, at);

    const before = app.slack.calls.length;
    const pressed = await pressButton(app, ADMIN, { action_id: HOME_ACTIONS.editSettings, value: 'C0ACME' });
    expect(pressed.status).toBe(200);
    const open = await app.slack.waitForCall('views.open', { after: before });
    expect(open.args.trigger_id).toBe(TRIGGER_ID);
    const modal = viewOf(open);
    expect(modal).toMatchObject({ type: 'modal', callback_id: SETTINGS_MODAL.callbackId, private_metadata: 'C0ACME' });
    // Every channel setting, as the command has them.
    expect(modal.blocks.map((b) => b.block_id).filter(Boolean)).toEqual([
      SETTINGS_MODAL.prefix.blockId,
      SETTINGS_MODAL.defaultExpiry.blockId,
      SETTINGS_MODAL.maxExpiry.blockId,
      SETTINGS_MODAL.maxSize.blockId,
      SETTINGS_MODAL.types.blockId,
    ]);

    const refused: [Parameters<typeof submitSettings>[3], string, string][] = [
      [{ prefix: '../escape/' }, SETTINGS_MODAL.prefix.blockId, 'must not contain "." or ".." parts'],
      [{ prefix: '/rooted/' }, SETTINGS_MODAL.prefix.blockId, 'must not start with "/"'],
      [{ defaultExpiry: 'soon' }, SETTINGS_MODAL.defaultExpiry.blockId, `"soon" isn't a duration`],
      [{ maxExpiry: '2w' }, SETTINGS_MODAL.maxExpiry.blockId, 'max-expiry must be 1 minute to 1 week'],
      [{ defaultExpiry: '3d', maxExpiry: '1d' }, SETTINGS_MODAL.defaultExpiry.blockId, 'default-expiry must be'],
    ];
    for (const [fields, blockId, message] of refused) {
      const response = await submitSettings(app, ADMIN, 'C0ACME', fields);
      expect(response.status).toBe(200);
      expect(response.json?.response_action).toBe('errors');
      const errors = response.json?.errors as Record<string, string>;
      expect(Object.keys(errors)).toEqual([blockId]);
      expect(errors[blockId]).toContain(message);
    }
    expect(await app.store.settings.get('C0ACME')).toBeUndefined();
    expect(await app.store.audit.list({ action: 'settings.update', limit: 10 })).toEqual([]);

    // A non-admin submitting a valid form changes nothing either.
    const notAdmin = await submitSettings(app, BOB, 'C0ACME', { prefix: 'bob/' });
    expect(notAdmin.json).toEqual({
      response_action: 'errors',
      errors: { [SETTINGS_MODAL.prefix.blockId]: homeMessages.settingsNotAdmin },
    });
    expect(await app.store.settings.get('C0ACME')).toBeUndefined();

    const published = app.slack.calls.length;
    const saved = await submitSettings(app, ADMIN, 'C0ACME', {
      prefix: 'partners/acme/',
      defaultExpiry: '2h',
      maxExpiry: '3d',
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toBe('');
    expect(await app.store.settings.get('C0ACME')).toMatchObject({
      keyPrefix: 'partners/acme/',
      defaultExpirySeconds: 7200,
      maxExpirySeconds: 259_200,
      updatedBy: ADMIN,
    });
    expect(await app.store.audit.list({ action: 'settings.update', limit: 10 })).toMatchObject([
      { actor: ADMIN, channelId: 'C0ACME' },
    ]);
    const home = await publishedTo(app, ADMIN, published);
    expect(viewText(home)).toContain(':white_check_mark: Updated settings for <#C0ACME>');
    expect(sectionsWith(home, '*<#C0ACME>*')[0]?.text?.text).toContain('prefix: `partners/acme/`\n');

    const reply = await app.command({ text: 'report.pdf', user_id: BOB, channel_id: 'C0ACME' });
    expect(reply.body).toContain(`s3://${app.s3.bucket}/partners/acme/`);
    expect(reply.body).toContain('X-Amz-Expires=7200');

    // Max size and types are in the modal too; a bad value is refused next to its field.
    const badSize = await submitSettings(app, ADMIN, 'C0ACME', {
      prefix: 'partners/acme/',
      defaultExpiry: '2h',
      maxExpiry: '3d',
      maxSize: 'huge',
    });
    expect(Object.keys((badSize.json?.errors ?? {}) as object)).toEqual([SETTINGS_MODAL.maxSize.blockId]);
    const limited = await submitSettings(app, ADMIN, 'C0ACME', {
      prefix: 'partners/acme/',
      defaultExpiry: '2h',
      maxExpiry: '3d',
      maxSize: '200MB',
      types: 'pdf, xlsx',
    });
    expect(limited.body).toBe('');
    expect(await app.store.settings.get('C0ACME')).toMatchObject({
      maxSizeBytes: 200 * 1024 ** 2,
      allowedTypes: ['pdf', 'xlsx'],
    });
    const after = await openHome(app, ADMIN);
    const channelText = sectionsWith(after, '*<#C0ACME>*')[0]?.text?.text ?? '';
    expect(channelText).toContain('• max size: 200 MB');
    expect(channelText).toContain('• types: pdf, xlsx');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('App Home builders', () => {
  const global = { uploadPrefix: 'uploads/', defaultExpirySeconds: 86_400, maxExpirySeconds: 604_800 };
  const entry = (id: string, scope: string): AccessEntry => ({ type: 'user', id, scope, addedBy: ADMIN, addedAt: at });

  it('stays within Block Kit limits with many rules, and says how many more there are', () => {
    const view = buildAdminHomeView({
      feedback: Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(100)}`),
      global,
      configAdmins: Array.from({ length: 60 }, (_, i) => `U0CONF${i}`),
      slackAdmins: Array.from({ length: 30 }, (_, i) => ({ userId: `U0ADM${i}`, addedBy: ADMIN, addedAt: at })),
      configAllowed: [ALLOWED],
      entries: [
        ...Array.from({ length: 40 }, (_, i) => entry(`U0EVERY${i}`, EVERYWHERE)),
        ...Array.from({ length: 50 }, (_, c) =>
          Array.from({ length: 12 }, (_, i) => entry(`U0C${c}X${i}`, `C0CH${c}`)),
        ).flat(),
      ],
      channelSettings: [],
      groups: {
        ok: true,
        groups: Array.from({ length: 150 }, (_, i) => ({ id: `S0G${i}`, handle: `group-${i}`, name: 'n'.repeat(100) })),
      },
    }) as unknown as View;
    expectWithinLimits(view);
    const text = viewText(view);
    expect(text).toMatch(/… and 20 more \(use \/upload-link admins\)/);
    expect(text).toMatch(/… and \d+ more \(use \/upload-link access\)/);
    expect(text).toMatch(/… and \d+ more channels \(use \/upload-link access\)/);
    expect(text).toContain('Showing 100 of 150 groups');
    // The form to add access is always there, after the lists.
    expect(view.blocks.at(-1)?.elements?.[0]?.action_id).toBe(HOME_ACTIONS.allow);
  });

  it('the settings form keeps only what changed, and `default` or empty clears an override', () => {
    const stored = {
      channelId: 'C0ACME',
      keyPrefix: 'partners/',
      defaultExpirySeconds: 7200,
      maxExpirySeconds: undefined,
      maxSizeBytes: undefined,
      allowedTypes: undefined,
      updatedBy: ADMIN,
      updatedAt: at,
    };
    expect(
      parseSettingsForm('C0ACME', { prefix: 'partners/', defaultExpiry: '2 hours', maxExpiry: '' }, stored),
    ).toEqual({
      ok: true,
      patch: {},
    });
    expect(parseSettingsForm('C0ACME', { prefix: '', defaultExpiry: 'default', maxExpiry: '3d' }, stored)).toEqual({
      ok: true,
      patch: { keyPrefix: null, defaultExpirySeconds: null, maxExpirySeconds: 259_200 },
    });
    const bad = parseSettingsForm('C0ACME', { prefix: 'no-slash', defaultExpiry: '1.5h', maxExpiry: '' }, stored);
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.ok ? {} : bad.errors)).toEqual([
      SETTINGS_MODAL.prefix.blockId,
      SETTINGS_MODAL.defaultExpiry.blockId,
    ]);
  });
});

describe('manifest.yml for the App Home', () => {
  it('enables the Home tab, subscribes to app_home_opened and turns on interactivity, at the events path', async () => {
    const manifest = parse(await readFile('manifest.yml', 'utf8')) as {
      features: { app_home: { home_tab_enabled: boolean } };
      settings: {
        event_subscriptions: { request_url: string; bot_events: string[] };
        interactivity: { is_enabled: boolean; request_url: string };
      };
    };
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });
});
