/**
 * The App Home for admins: every rule, with Remove buttons, and the forms to add admins and access. Pure: data in,
 * a view out, always within Slack's 100 blocks (long lists end with "… and N more").
 * https://docs.slack.dev/surfaces/app-home
 */
import type { ConfirmationDialog, HomeView, KnownBlock, PlainTextOption } from '@slack/types';
import { subjectRef } from '../../core/admin/describe.js';
import { formatDuration } from '../../core/durations.js';
import { type AccessEntry, type AdminRecord, type ChannelSettings, EVERYWHERE } from '../../core/model.js';
import { type GlobalSettings, settingsLines } from '../../core/settings.js';
import { actor, code } from '../../core/text.js';
import { COMMAND, EVERYWHERE_OPTION, HOME_ACTIONS, HOME_CALLBACK_ID, HOME_INPUTS } from '../ids.js';
import { slackDate, toMrkdwn } from '../mrkdwn.js';
import {
  button,
  cappedRows,
  context,
  divider,
  header,
  input,
  MAX_VIEW_BLOCKS,
  mentionList,
  plain,
  section,
  textSections,
} from './blocks.js';
import { entryValue } from './values.js';

const MAX_OPTION_TEXT = 75;
const MAX_OPTIONS = 100;
/** Longer lists than these are cut short with "… and N more" so the view stays within MAX_VIEW_BLOCKS. */
const MAX_ADMIN_ROWS = 10;
const MAX_EVERYWHERE_ROWS = 15;
const MAX_ROWS_PER_CHANNEL = 8;
const MAX_FEEDBACK_BLOCKS = 3;

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
  /** What the last change did (mrkdwn lines), shown at the top. */
  readonly feedback?: readonly string[];
  readonly global: GlobalSettings;
  readonly configAdmins: readonly string[];
  readonly slackAdmins: readonly AdminRecord[];
  readonly configAllowed: readonly string[];
  readonly entries: readonly AccessEntry[];
  readonly channelSettings: readonly ChannelSettings[];
  readonly groups: GroupChoices;
}

export function feedbackBlocks(feedback: readonly string[] | undefined): KnownBlock[] {
  if (feedback === undefined || feedback.length === 0) return [];
  return [...textSections(feedback).slice(0, MAX_FEEDBACK_BLOCKS), divider];
}

const removeConfirm = (what: string): ConfirmationDialog => ({
  title: plain('Remove?', 100),
  text: plain(what, 300),
  confirm: plain('Remove', 30),
  deny: plain('Cancel', 30),
  style: 'danger',
});

const addedBy = (by: string, at: Date) => `_added by ${toMrkdwn([actor(by)])}, ${slackDate(at)}_`;

function entryRow(entry: AccessEntry): KnownBlock {
  const what = entry.type === 'usergroup' ? ' (user group: every member)' : '';
  return section(
    `${toMrkdwn([subjectRef(entry)])}${what}\n${addedBy(entry.addedBy, entry.addedAt)}`,
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

function adminRow(a: AdminRecord): KnownBlock {
  return section(
    `<@${a.userId}>\n${addedBy(a.addedBy, a.addedAt)}`,
    button('Remove', HOME_ACTIONS.removeAdmin, a.userId, {
      style: 'danger',
      confirm: removeConfirm('They will no longer be an admin.'),
    }),
  );
}

function groupInput(groups: GroupChoices): KnownBlock {
  if (!groups.ok || groups.groups.length === 0) {
    const why = groups.ok ? 'this workspace has no user groups' : groups.reason;
    return context(`:information_source: No user-group picker: ${why}. \`${COMMAND} allow @group\` still works.`);
  }
  const shown = groups.groups.slice(0, MAX_OPTIONS);
  const options: PlainTextOption[] = shown.map((g) => ({
    text: plain(g.name === '' ? `@${g.handle}` : `@${g.handle} (${g.name})`, MAX_OPTION_TEXT),
    value: g.id,
  }));
  const more = groups.groups.length - shown.length;
  return input(
    HOME_INPUTS.allowGroup,
    'User group',
    { type: 'static_select', placeholder: plain('Pick a user group'), options },
    more > 0
      ? `Showing ${shown.length} of ${groups.groups.length} groups; for the others use ${COMMAND} allow @group.`
      : undefined,
  );
}

function addAccessBlocks(groups: GroupChoices): KnownBlock[] {
  return [
    section(
      '*Give access*\nPick people and/or a user group, then a channel or *Everywhere*, and press *Allow*. ' +
        `Same as \`${COMMAND} allow\`.`,
    ),
    input(HOME_INPUTS.allowUsers, 'People', { type: 'multi_users_select', placeholder: plain('Pick people') }),
    groupInput(groups),
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
  ];
}

/** Who comes from the bot's configuration (can't be removed here), as one line. */
function configLine(what: string, variable: string, ids: readonly string[], hint: string, none: string): string {
  const mentions = ids.map((id) => `<@${id}>`);
  return mentions.length > 0 ? `${what} (${variable}, can't be removed here): ${mentionList(mentions, hint)}` : none;
}

function channelsHead(data: AdminHomeData, channelIds: readonly string[]): KnownBlock {
  if (channelIds.length > 0) return section('*Channels* with their own entries or settings');
  return section(
    [
      '*Channels*',
      'No channel has its own entries or settings yet. Every channel uses the defaults:',
      `• prefix: ${toMrkdwn([code(`${data.global.uploadPrefix}<channel id>/`)])}`,
      `• default expiry: ${formatDuration(data.global.defaultExpirySeconds)}`,
      `• max expiry: ${formatDuration(data.global.maxExpirySeconds)}`,
      '• max size: none (5 GB, the S3 limit)',
      '• types: any',
    ].join('\n'),
  );
}

/** Each channel with its own entries or settings, as many as fit in `room` blocks. */
function channelBlocks(data: AdminHomeData, channelIds: readonly string[], room: number): KnownBlock[] {
  const byChannel = new Map<string, AccessEntry[]>();
  for (const e of data.entries) {
    if (e.scope !== EVERYWHERE) byChannel.set(e.scope, [...(byChannel.get(e.scope) ?? []), e]);
  }
  const storedSettings = new Map(data.channelSettings.map((s) => [s.channelId, s]));
  const blocks: KnownBlock[] = [];
  let left = room;
  for (const [i, channelId] of channelIds.entries()) {
    const entries = byChannel.get(channelId) ?? [];
    const rows = cappedRows(
      entries,
      MAX_ROWS_PER_CHANNEL,
      entryRow,
      (n) => `… and ${n} more (use ${COMMAND} access <#${channelId}>)`,
    );
    const cost = 1 + rows.length;
    const after = channelIds.length - i - 1;
    if (cost + (after > 0 ? 1 : 0) > left) {
      if (left > 0) blocks.push(context(`… and ${channelIds.length - i} more channels (use ${COMMAND} access)`));
      break;
    }
    const who = entries.length === 0 ? '\nNo entries of its own: admins and "every channel" entries apply.' : '';
    const settings = settingsLines(data.global, channelId, storedSettings.get(channelId)).map(toMrkdwn).join('\n');
    blocks.push(
      section(`*<#${channelId}>*${who}\n${settings}`, button('Edit settings', HOME_ACTIONS.editSettings, channelId)),
      ...rows,
    );
    left -= cost;
  }
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
  const adminsHead = section(
    [
      '*Admins* may create links in every channel and manage access.',
      configLine(
        "From the bot's configuration",
        'ADMIN_USER_IDS',
        data.configAdmins,
        `${COMMAND} admins`,
        'None in the configuration (ADMIN_USER_IDS).',
      ),
    ].join('\n'),
  );
  const addAdmin: KnownBlock[] = [
    input(HOME_INPUTS.adminUsers, 'New admins', { type: 'multi_users_select', placeholder: plain('Pick people') }),
    { type: 'actions', elements: [button('Add admin', HOME_ACTIONS.addAdmin, 'add')] },
  ];
  const everywhereHead = section(
    [
      '*Allowed in every channel*',
      configLine(
        "From the bot's configuration",
        'ALLOWED_USER_IDS',
        data.configAllowed,
        `${COMMAND} access`,
        'Nobody from the configuration (ALLOWED_USER_IDS).',
      ),
    ].join('\n'),
  );
  const channelIds = [
    ...new Set([
      ...data.entries.filter((e) => e.scope !== EVERYWHERE).map((e) => e.scope),
      ...data.channelSettings.map((s) => s.channelId),
    ]),
  ].sort();
  const bottom = [divider, ...addAccessBlocks(data.groups)];
  const heads = [divider, adminsHead, ...addAdmin, divider, everywhereHead, divider, channelsHead(data, channelIds)];

  // Rows get what the fixed parts leave, in order: Slack-added admins, "everywhere" entries, then channels.
  let room = MAX_VIEW_BLOCKS - top.length - heads.length - bottom.length;
  const slackAdmins = data.slackAdmins.filter((a) => !data.configAdmins.includes(a.userId));
  const adminRows = cappedRows(
    slackAdmins,
    Math.min(MAX_ADMIN_ROWS, room),
    adminRow,
    (n) => `… and ${n} more (use ${COMMAND} admins)`,
  );
  room -= adminRows.length;
  const everywhere = data.entries.filter((e) => e.scope === EVERYWHERE);
  const everywhereRows = cappedRows(
    everywhere,
    Math.min(MAX_EVERYWHERE_ROWS, room),
    entryRow,
    (n) => `… and ${n} more (use ${COMMAND} access)`,
  );
  room -= everywhereRows.length;

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
    channelsHead(data, channelIds),
    ...channelBlocks(data, channelIds, room),
    ...bottom,
  ];
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: blocks.slice(0, MAX_VIEW_BLOCKS) };
}
