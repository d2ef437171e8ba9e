/**
 * The App Home tab: admins see and change every rule, everyone else sees where they may create links, whom to ask,
 * and their own recent links.
 *
 * The builders are pure (data in, Block Kit out). The listeners only ack, gather data, build and call the client.
 * Every change goes through `executeAdminRequest` after `parseAdminCommand`, exactly like the slash command: same
 * validation, same audit, same words in the feedback shown at the top of the re-published view.
 * https://docs.slack.dev/surfaces/app-home
 */
import type { App, BlockAction, ButtonAction, Logger, ViewSubmitAction } from '@slack/bolt';
import type {
  Button,
  ConfirmationDialog,
  HomeView,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextElement,
  PlainTextOption,
} from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AccessPolicy } from '../core/access.js';
import {
  type AdminDeps,
  adminMessages,
  executeAdminRequest,
  parseAdminCommand,
  type SettingsProblem,
  settingsProblem,
  subjectMention,
} from '../core/admin.js';
import { type Token, tokenize } from '../core/command.js';
import { formatDuration } from '../core/durations.js';
import { effectiveSettings, type GlobalSettings } from '../core/settings.js';
import {
  type AccessEntry,
  type AccessStore,
  type AdminRecord,
  type AuditRecord,
  type ChannelSettings,
  type ChannelSettingsPatch,
  EVERYWHERE,
  StoreUnavailableError,
  type Subject,
} from '../store/index.js';
import { type GroupDirectory, GroupLookupError } from './groups.js';
import { COMMAND, EVERYWHERE_OPTION, HOME_ACTIONS, HOME_CALLBACK_ID, HOME_INPUTS, SETTINGS_MODAL } from './ids.js';
import { escapeMrkdwn, slackDate, textSections } from './views/reply.js';

// ---------------------------------------------------------------------------------------------------------------
// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks, …/block-elements, …/composition-objects)

export const MAX_BLOCKS = 100;
const MAX_SECTION_TEXT = 3000;
const MAX_BUTTON_TEXT = 75;
const MAX_PLAIN_LABEL = 150;
const MAX_OPTION_TEXT = 75;
const MAX_OPTIONS = 100;
/** Modal titles are at most 24 characters. */
const MAX_MODAL_TITLE = 24;
/** Longer lists than these are cut short with "… and N more" so the view stays within MAX_BLOCKS. */
const MAX_ADMIN_ROWS = 10;
const MAX_EVERYWHERE_ROWS = 15;
const MAX_ROWS_PER_CHANNEL = 8;
const MAX_MENTIONS_IN_TEXT = 40;
const MAX_FEEDBACK_BLOCKS = 3;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const plain = (text: string, max = MAX_PLAIN_LABEL): PlainTextElement => ({
  type: 'plain_text',
  text: clip(text, max),
  emoji: true,
});

const section = (mrkdwn: string, accessory?: Button): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) },
  ...(accessory === undefined ? {} : { accessory }),
});

const context = (mrkdwn: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) }],
});

const divider: KnownBlock = { type: 'divider' };

const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text) });

function button(
  text: string,
  actionId: string,
  value: string,
  options: { style?: 'primary' | 'danger'; confirm?: ConfirmationDialog } = {},
): Button {
  return {
    type: 'button',
    text: plain(text, MAX_BUTTON_TEXT),
    action_id: actionId,
    value,
    ...(options.style === undefined ? {} : { style: options.style }),
    ...(options.confirm === undefined ? {} : { confirm: options.confirm }),
  };
}

function input(
  ids: { readonly blockId: string; readonly actionId: string },
  label: string,
  element: InputBlockElement,
  hint?: string,
): InputBlock {
  return {
    type: 'input',
    block_id: ids.blockId,
    label: plain(label),
    element: { ...element, action_id: ids.actionId },
    optional: true,
    ...(hint === undefined ? {} : { hint: plain(hint, 2000) }),
  };
}

/** `a, b, c … and 7 more (use …)`: a list of mentions that stays short. */
function mentionList(mentions: readonly string[], hint: string, max = MAX_MENTIONS_IN_TEXT): string {
  if (mentions.length <= max) return mentions.join(', ');
  return `${mentions.slice(0, max).join(', ')} … and ${mentions.length - max} more (use ${hint})`;
}

/** Up to `room` blocks for `items`; when they don't all fit, the last block says how many more there are. */
function cappedRows<T>(
  items: readonly T[],
  room: number,
  row: (item: T) => KnownBlock,
  more: (hidden: number) => string,
): KnownBlock[] {
  if (items.length <= room) return items.map(row);
  if (room <= 0) return [];
  const shown = room - 1;
  return [...items.slice(0, shown).map(row), context(more(items.length - shown))];
}

function feedbackBlocks(feedback: readonly string[] | undefined): KnownBlock[] {
  if (feedback === undefined || feedback.length === 0) return [];
  return [...textSections(feedback).slice(0, MAX_FEEDBACK_BLOCKS), divider];
}

const actorText = (actor: string) => (actor === 'cli' ? 'the CLI' : `<@${actor}>`);

// ---------------------------------------------------------------------------------------------------------------
// Button values: what a Remove button removes, read back when it is pressed.

export interface EntryRef {
  readonly type: Subject['type'];
  readonly id: string;
  /** A channel id, or EVERYWHERE. */
  readonly scope: string;
}

/** Slack ids are upper-case letters and digits; anything else never becomes part of a command. */
const SLACK_ID = /^[A-Z0-9]{2,}$/;

export const entryValue = (e: EntryRef): string => JSON.stringify({ type: e.type, id: e.id, scope: e.scope });

export function parseEntryValue(value: string | undefined): EntryRef | undefined {
  try {
    const v = JSON.parse(value ?? '') as Partial<EntryRef>;
    if ((v.type !== 'user' && v.type !== 'usergroup') || typeof v.id !== 'string' || typeof v.scope !== 'string') {
      return undefined;
    }
    if (!SLACK_ID.test(v.id) || (v.scope !== EVERYWHERE && !SLACK_ID.test(v.scope))) return undefined;
    return { type: v.type, id: v.id, scope: v.scope };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Admin view

export interface GroupOption {
  readonly id: string;
  readonly handle: string;
  readonly name: string;
}

/** The user groups to offer in the picker, or why there is no picker. */
export type GroupChoices =
  | { readonly ok: true; readonly groups: readonly GroupOption[] }
  | { readonly ok: false; readonly reason: string };

export interface AdminHomeData {
  readonly feedback?: readonly string[];
  readonly global: GlobalSettings;
  readonly configAdmins: readonly string[];
  readonly slackAdmins: readonly AdminRecord[];
  readonly configAllowed: readonly string[];
  readonly entries: readonly AccessEntry[];
  readonly channelSettings: readonly ChannelSettings[];
  readonly groups: GroupChoices;
}

const removeConfirm = (what: string): ConfirmationDialog => ({
  title: plain('Remove?', 100),
  text: plain(what, 300),
  confirm: plain('Remove', 30),
  deny: plain('Cancel', 30),
  style: 'danger',
});

function entryRow(entry: AccessEntry): KnownBlock {
  const what = entry.type === 'usergroup' ? ' (user group: every member)' : '';
  return section(
    `${subjectMention(entry)}${what}\n_added by ${actorText(entry.addedBy)}, ${slackDate(entry.addedAt)}_`,
    button('Remove', HOME_ACTIONS.removeEntry, entryValue(entry), {
      style: 'danger',
      confirm: removeConfirm(
        entry.scope === EVERYWHERE
          ? 'They will no longer be allowed in every channel (other rules may still allow them).'
          : 'They will no longer be allowed in this channel (other rules may still allow them).',
      ),
    }),
  );
}

function settingsText(global: GlobalSettings, channelId: string, stored: ChannelSettings | undefined): string {
  const e = effectiveSettings(global, channelId, stored);
  const mark = (own: boolean) => (own ? '' : ' (default)');
  return [
    `• prefix: \`${escapeMrkdwn(e.prefix.replace(/`/g, "'"))}\`${mark(e.overridden.prefix)}`,
    `• default expiry: ${formatDuration(e.defaultExpirySeconds)}${mark(e.overridden.defaultExpiry)}`,
    `• max expiry: ${formatDuration(e.maxExpirySeconds)}${mark(e.overridden.maxExpiry)}`,
  ].join('\n');
}

function addAccessBlocks(groups: GroupChoices): KnownBlock[] {
  const blocks: KnownBlock[] = [
    section(
      '*Give access*\nPick people and/or a user group, then a channel or *Everywhere*, and press *Allow*. ' +
        `Same as \`${COMMAND} allow\`.`,
    ),
    input(HOME_INPUTS.allowUsers, 'People', {
      type: 'multi_users_select',
      placeholder: plain('Pick people'),
    }),
  ];
  if (groups.ok && groups.groups.length > 0) {
    const shown = groups.groups.slice(0, MAX_OPTIONS);
    const options: PlainTextOption[] = shown.map((g) => ({
      text: plain(g.name === '' ? `@${g.handle}` : `@${g.handle} (${g.name})`, MAX_OPTION_TEXT),
      value: g.id,
    }));
    const more = groups.groups.length - shown.length;
    blocks.push(
      input(
        HOME_INPUTS.allowGroup,
        'User group',
        { type: 'static_select', placeholder: plain('Pick a user group'), options },
        more > 0
          ? `Showing ${shown.length} of ${groups.groups.length} groups; for the others use ${COMMAND} allow @group.`
          : undefined,
      ),
    );
  } else {
    const why = groups.ok ? 'this workspace has no user groups' : groups.reason;
    blocks.push(context(`:information_source: No user-group picker: ${why}. \`${COMMAND} allow @group\` still works.`));
  }
  blocks.push(
    input(HOME_INPUTS.allowChannel, 'Channel', {
      type: 'conversations_select',
      placeholder: plain('Pick a channel'),
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    }),
    input(HOME_INPUTS.allowEverywhere, 'Or everywhere', {
      type: 'checkboxes',
      options: [{ text: plain('Everywhere (every channel)', MAX_OPTION_TEXT), value: EVERYWHERE_OPTION }],
    }),
    { type: 'actions', elements: [button('Allow', HOME_ACTIONS.allow, 'allow', { style: 'primary' })] },
  );
  return blocks;
}

export function buildAdminHomeView(data: AdminHomeData): HomeView {
  const top: KnownBlock[] = [
    header('Upload links: who may create them'),
    ...feedbackBlocks(data.feedback),
    context(
      `Changes here are the same as the \`${COMMAND}\` admin commands, and are recorded in \`${COMMAND} audit\`.`,
    ),
  ];

  const configAdmins = data.configAdmins.map((id) => `<@${id}>`);
  const adminsHead = section(
    [
      '*Admins* may create links in every channel and manage access.',
      configAdmins.length > 0
        ? `From the bot's configuration (ADMIN_USER_IDS, can't be removed here): ${mentionList(configAdmins, `${COMMAND} admins`)}`
        : 'None in the configuration (ADMIN_USER_IDS).',
    ].join('\n'),
  );
  const slackAdmins = data.slackAdmins.filter((a) => !data.configAdmins.includes(a.userId));
  const addAdmin: KnownBlock[] = [
    input(HOME_INPUTS.adminUsers, 'New admins', { type: 'multi_users_select', placeholder: plain('Pick people') }),
    { type: 'actions', elements: [button('Add admin', HOME_ACTIONS.addAdmin, 'add')] },
  ];

  const configAllowed = data.configAllowed.map((id) => `<@${id}>`);
  const everywhereHead = section(
    [
      '*Allowed in every channel*',
      configAllowed.length > 0
        ? `From the bot's configuration (ALLOWED_USER_IDS, can't be removed here): ${mentionList(configAllowed, `${COMMAND} access`)}`
        : 'Nobody from the configuration (ALLOWED_USER_IDS).',
    ].join('\n'),
  );
  const everywhere = data.entries.filter((e) => e.scope === EVERYWHERE);

  const byChannel = new Map<string, AccessEntry[]>();
  for (const e of data.entries) {
    if (e.scope !== EVERYWHERE) byChannel.set(e.scope, [...(byChannel.get(e.scope) ?? []), e]);
  }
  const storedSettings = new Map(data.channelSettings.map((s) => [s.channelId, s]));
  const channelIds = [...new Set([...byChannel.keys(), ...storedSettings.keys()])].sort();
  const channelsHead = section(
    channelIds.length > 0
      ? '*Channels* with their own entries or settings'
      : [
          '*Channels*',
          'No channel has its own entries or settings yet. Every channel uses the defaults:',
          `• prefix: \`${escapeMrkdwn(`${data.global.uploadPrefix}<channel id>/`.replace(/`/g, "'"))}\``,
          `• default expiry: ${formatDuration(data.global.defaultExpirySeconds)}`,
          `• max expiry: ${formatDuration(data.global.maxExpirySeconds)}`,
        ].join('\n'),
  );

  const bottom = [divider, ...addAccessBlocks(data.groups)];
  const fixed = top.length + 1 + 1 + addAdmin.length + 1 + 1 + 1 + 1 + bottom.length;
  let room = MAX_BLOCKS - fixed;

  const adminRows = cappedRows(
    slackAdmins,
    Math.min(MAX_ADMIN_ROWS, room),
    (a) =>
      section(
        `<@${a.userId}>\n_added by ${actorText(a.addedBy)}, ${slackDate(a.addedAt)}_`,
        button('Remove', HOME_ACTIONS.removeAdmin, a.userId, {
          style: 'danger',
          confirm: removeConfirm('They will no longer be an admin.'),
        }),
      ),
    (n) => `… and ${n} more (use ${COMMAND} admins)`,
  );
  room -= adminRows.length;
  const everywhereRows = cappedRows(
    everywhere,
    Math.min(MAX_EVERYWHERE_ROWS, room),
    entryRow,
    (n) => `… and ${n} more (use ${COMMAND} access)`,
  );
  room -= everywhereRows.length;

  const channelBlocks: KnownBlock[] = [];
  for (const [i, channelId] of channelIds.entries()) {
    const entries = byChannel.get(channelId) ?? [];
    const rows = cappedRows(
      entries,
      MAX_ROWS_PER_CHANNEL,
      entryRow,
      (n) => `… and ${n} more (use ${COMMAND} access <#${channelId}>)`,
    );
    const cost = 1 + rows.length;
    const left = channelIds.length - i - 1;
    if (cost + (left > 0 ? 1 : 0) > room) {
      if (room > 0) channelBlocks.push(context(`… and ${channelIds.length - i} more channels (use ${COMMAND} access)`));
      break;
    }
    const who = entries.length === 0 ? '\nNo entries of its own: admins and "every channel" entries apply.' : '';
    channelBlocks.push(
      section(
        `*<#${channelId}>*${who}\n${settingsText(data.global, channelId, storedSettings.get(channelId))}`,
        button('Edit settings', HOME_ACTIONS.editSettings, channelId),
      ),
      ...rows,
    );
    room -= cost;
  }

  const blocks = [
    ...top,
    divider,
    adminsHead,
    ...adminRows,
    ...addAdmin,
    divider,
    everywhereHead,
    ...everywhereRows,
    divider,
    channelsHead,
    ...channelBlocks,
    ...bottom,
  ];
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: blocks.slice(0, MAX_BLOCKS) };
}

// ---------------------------------------------------------------------------------------------------------------
// Member view

export interface Where {
  /** The user group through which the rule applies; undefined when it names the person. */
  readonly via: string | undefined;
  /** From ALLOWED_USER_IDS rather than an entry added from Slack. */
  readonly config: boolean;
}

export interface MemberHomeData {
  readonly feedback?: readonly string[];
  /** Set when they may create links in every channel. */
  readonly everywhere: Where | undefined;
  /** Channels where an entry allows them, sorted. */
  readonly channels: readonly ({ readonly channelId: string } & Where)[];
  /** Some group memberships could not be checked (Slack did not answer). */
  readonly groupsUnchecked: boolean;
  readonly admins: readonly string[];
  /** Their `link.issued` audit events, newest first. */
  readonly recentLinks: readonly AuditRecord[];
  readonly now: Date;
}

const whyText = (w: Where) =>
  w.config ? ' (bot configuration)' : w.via === undefined ? '' : ` (through <!subteam^${w.via}>)`;

function recentLinkRow(event: AuditRecord, now: Date): KnownBlock {
  const d = event.detail;
  const filename = typeof d.filename === 'string' ? d.filename : 'a file';
  const key = typeof d.key === 'string' ? d.key : '';
  const expiresAt = typeof d.expiresAt === 'string' ? new Date(d.expiresAt) : undefined;
  const where = event.channelId === undefined ? '' : ` in <#${event.channelId}>`;
  const expiry =
    expiresAt === undefined || Number.isNaN(expiresAt.getTime())
      ? ''
      : expiresAt.getTime() <= now.getTime()
        ? `, expired ${slackDate(expiresAt)}`
        : `, expires ${slackDate(expiresAt)}`;
  const code = (text: string) => `\`${escapeMrkdwn(clip(text, 600).replace(/`/g, "'"))}\``;
  return section(
    `*${escapeMrkdwn(clip(filename, 300))}*${where}, created ${slackDate(event.at)}${expiry}${key === '' ? '' : `\n${code(key)}`}`,
  );
}

export function buildMemberHomeView(data: MemberHomeData): HomeView {
  const where: string[] = ['*Where you can create upload links*'];
  if (data.everywhere !== undefined) {
    where.push(`In every channel${whyText(data.everywhere)}.`);
  } else if (data.channels.length > 0) {
    const channels = data.channels.map((c) => `<#${c.channelId}>${whyText(c)}`);
    where.push(mentionList(channels, `${COMMAND} access #channel`));
  } else {
    where.push('Nowhere yet.');
  }
  if (data.everywhere !== undefined || data.channels.length > 0) {
    where.push(
      `In one of those channels, type \`${COMMAND} report.pdf\` (or \`${COMMAND} help\`). Only you see the link.`,
    );
  }

  const admins = data.admins.map((id) => `<@${id}>`);
  const ask =
    admins.length > 0
      ? `*Need access somewhere else?*\nAsk an admin: ${mentionList(admins, `${COMMAND} help`)}. Tell them which channel; they can allow you from this Home tab or with \`${COMMAND} allow\`.`
      : '*Need access somewhere else?*\nNo admins are set up yet: ask whoever runs this bot to add you to ALLOWED_USER_IDS or ADMIN_USER_IDS.';

  const blocks: KnownBlock[] = [header('Upload links'), ...feedbackBlocks(data.feedback), section(where.join('\n'))];
  if (data.groupsUnchecked) {
    blocks.push(
      context(
        ':warning: Some access comes through user groups, and Slack did not answer when I checked them; this list may be missing channels.',
      ),
    );
  }
  blocks.push(section(ask), divider, section('*Your recent links*'));
  if (data.recentLinks.length === 0) blocks.push(context('None yet.'));
  else blocks.push(...data.recentLinks.map((e) => recentLinkRow(e, data.now)));
  blocks.push(
    context(
      'The links themselves are shown once, to you, when they are created; they are never stored or shown again.',
    ),
  );
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: blocks.slice(0, MAX_BLOCKS) };
}

/** When the access store cannot be read, the Home tab says so instead of showing stale or partial rules. */
export function buildUnavailableHomeView(): HomeView {
  return {
    type: 'home',
    callback_id: HOME_CALLBACK_ID,
    blocks: [
      header('Upload links'),
      section(
        'The access store is temporarily unavailable, so I cannot show access right now. Please try again in a moment.',
      ),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Settings modal

export interface SettingsModalData {
  readonly channelId: string;
  readonly global: GlobalSettings;
  readonly stored: ChannelSettings | undefined;
}

export function buildSettingsModal({ channelId, global, stored }: SettingsModalData): ModalView {
  const defaults = effectiveSettings(global, channelId, undefined);
  const text = (ids: { blockId: string; actionId: string }, label: string, initial: string | undefined, hint: string) =>
    input(
      ids,
      label,
      {
        type: 'plain_text_input',
        placeholder: plain('Empty: the default'),
        ...(initial === undefined ? {} : { initial_value: initial }),
      },
      hint,
    );
  return {
    type: 'modal',
    callback_id: SETTINGS_MODAL.callbackId,
    private_metadata: channelId,
    title: plain('Channel settings', MAX_MODAL_TITLE),
    submit: plain('Save', MAX_MODAL_TITLE),
    close: plain('Cancel', MAX_MODAL_TITLE),
    blocks: [
      section(`Settings for <#${channelId}>. Leave a field empty (or type \`default\`) to use the bot's default.`),
      text(
        SETTINGS_MODAL.prefix,
        'Key prefix (folder for uploads)',
        stored?.keyPrefix,
        `Default: ${defaults.prefix}. Must end with "/", must not start with "/" or contain ".." parts.`,
      ),
      text(
        SETTINGS_MODAL.defaultExpiry,
        'Default expiry',
        stored?.defaultExpirySeconds === undefined ? undefined : formatDuration(stored.defaultExpirySeconds),
        `Default: ${formatDuration(global.defaultExpirySeconds)}. A number and m, h, d or w, like 2h or 3d.`,
      ),
      text(
        SETTINGS_MODAL.maxExpiry,
        'Max expiry',
        stored?.maxExpirySeconds === undefined ? undefined : formatDuration(stored.maxExpirySeconds),
        `Default and upper limit: ${formatDuration(global.maxExpirySeconds)} (the bot's MAX_EXPIRY).`,
      ),
    ],
  };
}

export interface SettingsForm {
  readonly prefix: string;
  readonly defaultExpiry: string;
  readonly maxExpiry: string;
}

type SettingsField = {
  readonly name: 'prefix' | 'default-expiry' | 'max-expiry';
  readonly key: keyof ChannelSettingsPatch;
  readonly form: keyof SettingsForm;
  readonly blockId: string;
};

const SETTINGS_FIELDS: readonly SettingsField[] = [
  { name: 'prefix', key: 'keyPrefix', form: 'prefix', blockId: SETTINGS_MODAL.prefix.blockId },
  {
    name: 'default-expiry',
    key: 'defaultExpirySeconds',
    form: 'defaultExpiry',
    blockId: SETTINGS_MODAL.defaultExpiry.blockId,
  },
  { name: 'max-expiry', key: 'maxExpirySeconds', form: 'maxExpiry', blockId: SETTINGS_MODAL.maxExpiry.blockId },
];

export const settingsBlockFor = (setting: SettingsProblem['setting']): string =>
  setting === 'max-expiry' ? SETTINGS_MODAL.maxExpiry.blockId : SETTINGS_MODAL.defaultExpiry.blockId;

/** Modal errors are plain text: drop mrkdwn code marks. */
const plainError = (text: string) => clip(text.replace(/`/g, ''), 300);

/**
 * A `name=value` word exactly as the tokenizer makes one from `settings … name=value`, built directly because a
 * modal field is one value: tokenizing would split it at spaces and decode HTML entities Slack does not send here.
 */
const settingWord = (text: string): Token => ({ pieces: [{ kind: 'text', text }], quoted: false, text });

export type ParsedSettingsForm =
  | { readonly ok: true; readonly patch: ChannelSettingsPatch }
  | { readonly ok: false; readonly errors: Record<string, string> };

/**
 * The modal's fields → a settings patch, each field parsed by `parseAdminCommand` as if typed as
 * `/upload-link settings #channel name=value` (empty → `default`). Only fields that differ from what is stored go
 * into the patch, so saving an untouched form changes nothing.
 */
export function parseSettingsForm(
  channelId: string,
  form: SettingsForm,
  stored: ChannelSettings | undefined,
): ParsedSettingsForm {
  const errors: Record<string, string> = {};
  const patch: { -readonly [K in keyof ChannelSettingsPatch]: ChannelSettingsPatch[K] } = {};
  const command = tokenize(`settings <#${channelId}>`);
  for (const field of SETTINGS_FIELDS) {
    const typed = form[field.form].trim();
    const parsed = parseAdminCommand(
      [...command, settingWord(`${field.name}=${typed === '' ? 'default' : typed}`)],
      channelId,
    );
    if (!parsed.ok) {
      errors[field.blockId] = plainError(parsed.problem);
      continue;
    }
    if (parsed.request.command !== 'settings') throw new Error('a settings word parsed as another command');
    const value = parsed.request.patch[field.key];
    const current = stored?.[field.key] ?? null;
    if (value !== undefined && value !== current) Object.assign(patch, { [field.key]: value });
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, patch };
}

// ---------------------------------------------------------------------------------------------------------------
// Listeners

export interface HomeDeps {
  readonly adminDeps: AdminDeps;
  readonly access: AccessPolicy;
  readonly store: AccessStore;
  readonly groups: GroupDirectory;
  readonly logger: Logger;
  readonly now: () => Date;
}

type StateValues = NonNullable<BlockAction['view']>['state']['values'];

const stateOf = (values: StateValues | undefined, ids: { blockId: string; actionId: string }) =>
  values?.[ids.blockId]?.[ids.actionId];

/** Slack's ids from the pickers, kept only when they look like ids (they become mentions in a command). */
const ids = (list: readonly (string | null | undefined)[] | undefined): string[] =>
  (list ?? []).filter((id): id is string => typeof id === 'string' && SLACK_ID.test(id));

export const homeMessages = {
  pickSubjects: 'Pick at least one person or a user group, then press Allow. Nothing was changed.',
  pickTarget: 'Pick a channel, or tick Everywhere, then press Allow. Nothing was changed.',
  pickOneTarget: 'Pick a channel or tick Everywhere, not both. Nothing was changed.',
  pickAdmins: 'Pick the people to make admins, then press Add admin. Nothing was changed.',
  badButton: 'That button is out of date; here is the current state. Nothing was changed.',
  settingsNotAdmin: 'Only admins can change channel settings. Nothing was changed.',
  settingsLostChannel: 'This form lost track of its channel. Close it and press Edit settings again.',
} as const;

/** A failed group listing, in words for the admin who sees no group picker. */
function groupListProblem(error: unknown): string {
  const code = (error as { data?: { error?: string } }).data?.error;
  if (code === 'paid_teams_only') return 'user groups need a paid Slack plan';
  if (code === 'missing_scope') return 'the app lacks the usergroups:read scope (reinstall it from manifest.yml)';
  return `Slack did not list the user groups (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/** Don't let a slow Slack hold up the whole view: without groups it is still useful. */
const GROUP_LIST_TIMEOUT_MS = 5000;

export function registerHome(app: App, deps: HomeDeps): void {
  const { access, store, logger } = deps;

  async function groupChoices(client: WebClient): Promise<GroupChoices> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), GROUP_LIST_TIMEOUT_MS);
      });
      const result = await Promise.race([client.usergroups.list({ include_disabled: false }), timeout]);
      const groups = (result.usergroups ?? [])
        .filter((g) => typeof g.id === 'string' && SLACK_ID.test(g.id))
        .map((g) => ({ id: g.id as string, handle: g.handle ?? g.id ?? '', name: g.name ?? '' }))
        .sort((a, b) => a.handle.localeCompare(b.handle));
      return { ok: true, groups };
    } catch (error) {
      const reason = groupListProblem(error);
      logger.warn(`usergroups.list failed: ${reason}`);
      return { ok: false, reason };
    } finally {
      clearTimeout(timer);
    }
  }

  async function adminData(client: WebClient, feedback: readonly string[]): Promise<AdminHomeData> {
    const [slackAdmins, entries, channelSettings, groups] = await Promise.all([
      store.listAdmins(),
      store.listEntries(),
      store.listChannelSettings(),
      groupChoices(client),
    ]);
    return {
      feedback,
      global: deps.adminDeps.settings,
      configAdmins: deps.adminDeps.configAdmins,
      slackAdmins,
      configAllowed: deps.adminDeps.configAllowed,
      entries,
      channelSettings,
      groups,
    };
  }

  async function memberData(userId: string, feedback: readonly string[]): Promise<MemberHomeData> {
    const [entries, admins, recentLinks] = await Promise.all([
      store.listEntries(),
      access.admins(),
      store.listAudit({ actor: userId, action: 'link.issued', limit: 10 }),
    ]);
    let groupsUnchecked = false;
    const groupIds = [...new Set(entries.filter((e) => e.type === 'usergroup').map((e) => e.id))];
    const memberships = await Promise.all(
      groupIds.map(async (id) => {
        try {
          return [id, (await deps.groups.members(id)).has(userId)] as const;
        } catch (error) {
          if (!(error instanceof GroupLookupError)) throw error;
          groupsUnchecked = true;
          return [id, false] as const;
        }
      }),
    );
    const memberOf = new Map(memberships);
    const applies = (e: AccessEntry): Where | undefined => {
      if (e.type === 'user') return e.id === userId ? { via: undefined, config: false } : undefined;
      return memberOf.get(e.id) === true ? { via: e.id, config: false } : undefined;
    };
    let everywhere: Where | undefined = deps.adminDeps.configAllowed.includes(userId)
      ? { via: undefined, config: true }
      : undefined;
    const channels = new Map<string, Where>();
    for (const e of entries) {
      const where = applies(e);
      if (where === undefined) continue;
      if (e.scope === EVERYWHERE) {
        if (everywhere === undefined || (everywhere.via !== undefined && where.via === undefined)) everywhere = where;
      } else {
        const known = channels.get(e.scope);
        if (known === undefined || (known.via !== undefined && where.via === undefined)) channels.set(e.scope, where);
      }
    }
    return {
      feedback,
      everywhere,
      channels: [...channels.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([channelId, w]) => ({ channelId, ...w })),
      groupsUnchecked,
      admins,
      recentLinks,
      now: deps.now(),
    };
  }

  async function publishHome(client: WebClient, userId: string, feedback: readonly string[] = []): Promise<void> {
    let view: HomeView;
    try {
      view = (await access.isAdmin(userId))
        ? buildAdminHomeView(await adminData(client, feedback))
        : buildMemberHomeView(await memberData(userId, feedback));
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      view = buildUnavailableHomeView();
    }
    await client.views.publish({ user_id: userId, view });
  }

  /** Parse the words as the slash command would, then carry the request out for `actor`. */
  async function runAsCommand(actor: string, words: string): Promise<readonly string[]> {
    const parsed = parseAdminCommand(tokenize(words), undefined);
    if (!parsed.ok) return [adminMessages.usage(parsed.command, parsed.problem)];
    logger.info(`home change user=${actor} command=${parsed.request.command}`);
    return (await executeAdminRequest(deps.adminDeps, actor, parsed.request)).lines;
  }

  /**
   * A change from the Home tab: only for admins (checked now, not when the view was built), then the actor's
   * view is published again with what happened at the top.
   */
  async function change(
    client: WebClient,
    actor: string,
    what: string,
    work: () => Promise<readonly string[]>,
  ): Promise<void> {
    let feedback: readonly string[];
    try {
      if (await access.isAdmin(actor)) {
        feedback = await work();
      } else {
        logger.info(`home change refused user=${actor} action=${what} (not an admin)`);
        feedback = [adminMessages.notAdmin(await access.admins())];
      }
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      feedback = [adminMessages.storeUnavailable];
    }
    await publishHome(client, actor, feedback);
  }

  const failed = (what: string) => (error: unknown) => logger.error(`Home ${what} failed:`, error);

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab === 'messages') return;
    await publishHome(client, event.user).catch(failed('view'));
  });

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.allow, async ({ ack, body, client }) => {
    await ack();
    const values = body.view?.state.values;
    await change(client, body.user.id, 'allow', async () => {
      const users = ids(stateOf(values, HOME_INPUTS.allowUsers)?.selected_users);
      const groups = ids([stateOf(values, HOME_INPUTS.allowGroup)?.selected_option?.value]);
      const channels = ids([stateOf(values, HOME_INPUTS.allowChannel)?.selected_conversation]);
      const everywhere = (stateOf(values, HOME_INPUTS.allowEverywhere)?.selected_options ?? []).some(
        (o) => o.value === EVERYWHERE_OPTION,
      );
      if (users.length + groups.length === 0) return [homeMessages.pickSubjects];
      if (channels.length === 0 && !everywhere) return [homeMessages.pickTarget];
      if (channels.length > 0 && everywhere) return [homeMessages.pickOneTarget];
      const subjects = [...users.map((u) => `<@${u}>`), ...groups.map((g) => `<!subteam^${g}>`)];
      const target = everywhere ? 'everywhere' : `<#${channels[0]}>`;
      return runAsCommand(body.user.id, `allow ${subjects.join(' ')} ${target}`);
    }).catch(failed('allow'));
  });

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.removeEntry, async ({ ack, body, action, client }) => {
    await ack();
    await change(client, body.user.id, 'remove-entry', async () => {
      const entry = parseEntryValue(action.value);
      if (entry === undefined) return [homeMessages.badButton];
      const subject = entry.type === 'user' ? `<@${entry.id}>` : `<!subteam^${entry.id}>`;
      const target = entry.scope === EVERYWHERE ? 'everywhere' : `<#${entry.scope}>`;
      return runAsCommand(body.user.id, `disallow ${subject} ${target}`);
    }).catch(failed('remove'));
  });

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.addAdmin, async ({ ack, body, client }) => {
    await ack();
    await change(client, body.user.id, 'add-admin', async () => {
      const users = ids(stateOf(body.view?.state.values, HOME_INPUTS.adminUsers)?.selected_users);
      if (users.length === 0) return [homeMessages.pickAdmins];
      return runAsCommand(body.user.id, `admins add ${users.map((u) => `<@${u}>`).join(' ')}`);
    }).catch(failed('add admin'));
  });

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.removeAdmin, async ({ ack, body, action, client }) => {
    await ack();
    await change(client, body.user.id, 'remove-admin', async () => {
      const [user] = ids([action.value]);
      if (user === undefined) return [homeMessages.badButton];
      return runAsCommand(body.user.id, `admins remove <@${user}>`);
    }).catch(failed('remove admin'));
  });

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.editSettings, async ({ ack, body, action, client }) => {
    // The trigger_id is only good for 3 seconds: ack, check, open.
    await ack();
    const actor = body.user.id;
    try {
      const [channelId] = ids([action.value]);
      if (!(await access.isAdmin(actor))) {
        logger.info(`home change refused user=${actor} action=edit-settings (not an admin)`);
        await publishHome(client, actor, [adminMessages.notAdmin(await access.admins())]);
        return;
      }
      if (channelId === undefined) {
        await publishHome(client, actor, [homeMessages.badButton]);
        return;
      }
      const stored = await store.channelSettings(channelId);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildSettingsModal({ channelId, global: deps.adminDeps.settings, stored }),
      });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) return failed('edit settings')(error);
      logger.error(`Access store unavailable: ${error.message}`);
      await publishHome(client, actor, [adminMessages.storeUnavailable]).catch(failed('view'));
    }
  });

  app.view<ViewSubmitAction>(SETTINGS_MODAL.callbackId, async ({ ack, body, view, client }) => {
    const actor = body.user.id;
    const fail = (blockId: string, message: string) =>
      ack({ response_action: 'errors', errors: { [blockId]: plainError(message) } });
    const channelId = ids([view.private_metadata])[0];
    if (channelId === undefined) return fail(SETTINGS_MODAL.prefix.blockId, homeMessages.settingsLostChannel);
    let lines: readonly string[];
    try {
      if (!(await access.isAdmin(actor))) {
        logger.info(`home change refused user=${actor} action=settings (not an admin)`);
        return fail(SETTINGS_MODAL.prefix.blockId, homeMessages.settingsNotAdmin);
      }
      const values = view.state.values;
      const form: SettingsForm = {
        prefix: stateOf(values, SETTINGS_MODAL.prefix)?.value ?? '',
        defaultExpiry: stateOf(values, SETTINGS_MODAL.defaultExpiry)?.value ?? '',
        maxExpiry: stateOf(values, SETTINGS_MODAL.maxExpiry)?.value ?? '',
      };
      const stored = await store.channelSettings(channelId);
      const parsed = parseSettingsForm(channelId, form, stored);
      if (!parsed.ok) return ack({ response_action: 'errors', errors: parsed.errors });
      const problem = settingsProblem(deps.adminDeps.settings, stored, parsed.patch);
      if (problem !== undefined) return fail(settingsBlockFor(problem.setting), problem.problem);
      if (Object.keys(parsed.patch).length > 0) logger.info(`home change user=${actor} command=settings`);
      const result = await executeAdminRequest(deps.adminDeps, actor, {
        command: 'settings',
        channelId,
        patch: parsed.patch,
      });
      // Only a concurrent change makes this fail after the check above.
      if (!result.ok) return fail(SETTINGS_MODAL.maxExpiry.blockId, result.lines.join(' '));
      lines = Object.keys(parsed.patch).length === 0 ? ['Nothing to change.', ...result.lines] : result.lines;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      return fail(SETTINGS_MODAL.prefix.blockId, adminMessages.storeUnavailable);
    }
    await ack();
    await publishHome(client, actor, lines).catch(failed('view'));
  });
}
