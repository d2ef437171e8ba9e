/**
 * The App Home for everyone else: where they may create links, whom to ask, and their own recent links. Pure.
 */
import type { HomeView, KnownBlock } from '@slack/types';
import type { PersonalAccess, Where } from '../../core/access.js';
import type { AuditRecord } from '../../core/audit.js';
import { code, type Line, strong } from '../../core/text.js';
import { COMMAND, HOME_CALLBACK_ID } from '../ids.js';
import { slackDate, toMrkdwn } from '../mrkdwn.js';
import { clip, context, divider, header, MAX_VIEW_BLOCKS, mentionList, section } from './blocks.js';
import { feedbackBlocks } from './home-admin.js';

export interface MemberHomeData extends PersonalAccess {
  readonly feedback?: readonly string[];
  readonly admins: readonly string[];
  /** Their `link.issued` audit events, newest first. */
  readonly recentLinks: readonly Extract<AuditRecord, { action: 'link.issued' }>[];
  readonly now: Date;
}

const whyText = (w: Where) =>
  w.config ? ' (bot configuration)' : w.via === undefined ? '' : ` (through <!subteam^${w.via}>)`;

function recentLinkRow(event: MemberHomeData['recentLinks'][number], now: Date): KnownBlock {
  const { filename, key } = event.detail;
  const expiresAt = new Date(event.detail.expiresAt);
  const where = event.channelId === undefined ? '' : ` in <#${event.channelId}>`;
  const expiry = Number.isNaN(expiresAt.getTime())
    ? ''
    : expiresAt.getTime() <= now.getTime()
      ? `, expired ${slackDate(expiresAt)}`
      : `, expires ${slackDate(expiresAt)}`;
  const line: Line = [strong(clip(filename, 300))];
  return section(
    `${toMrkdwn(line)}${where}, created ${slackDate(event.at)}${expiry}${key === '' ? '' : `\n${toMrkdwn([code(clip(key, 600))])}`}`,
  );
}

function whereText(data: MemberHomeData): string {
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
  return where.join('\n');
}

export function buildMemberHomeView(data: MemberHomeData): HomeView {
  const admins = data.admins.map((id) => `<@${id}>`);
  const ask =
    admins.length > 0
      ? `*Need access somewhere else?*\nAsk an admin: ${mentionList(admins, `${COMMAND} help`)}. Tell them which channel; they can allow you from this Home tab or with \`${COMMAND} allow\`.`
      : '*Need access somewhere else?*\nNo admins are set up yet: ask whoever runs this bot to add you to ALLOWED_USER_IDS or ADMIN_USER_IDS.';

  const blocks: KnownBlock[] = [header('Upload links'), ...feedbackBlocks(data.feedback), section(whereText(data))];
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
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: blocks.slice(0, MAX_VIEW_BLOCKS) };
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
