/**
 * The App Home for everyone else: where they may create links, whom to ask, and their own recent links. Pure.
 */
import type { HomeView, KnownBlock } from '@slack/types';
import type { PersonalAccess, Where } from '../../core/access.js';
import type { PartnerLink } from '../../core/model.js';
import { COMMAND, HOME_CALLBACK_ID, REVOKE_HOME_LINK_ACTION } from '../ids.js';
import { context, divider, header, MAX_VIEW_BLOCKS, mentionList, section } from './blocks.js';
import { feedbackBlocks } from './home-admin.js';
import { linkRow } from './links.js';

export interface MemberHomeData extends PersonalAccess {
  readonly feedback?: readonly string[];
  readonly admins: readonly string[];
  /** Their links, newest first. */
  readonly recentLinks: readonly PartnerLink[];
  readonly now: Date;
}

const whyText = (w: Where) =>
  w.config ? ' (bot configuration)' : w.via === undefined ? '' : ` (through <!subteam^${w.via}>)`;

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
  else {
    blocks.push(
      ...data.recentLinks.map((link) =>
        linkRow(link, data.now, { who: false, where: true, value: link.id, actionId: REVOKE_HOME_LINK_ACTION }),
      ),
    );
  }
  blocks.push(
    context(
      `The upload URLs themselves are shown once, to you, when they are created; they are never stored or shown again. \`${COMMAND} links\` in a channel lists your links there.`,
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
