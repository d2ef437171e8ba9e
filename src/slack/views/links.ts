/**
 * `/upload-link links`: each link with its file name, when it was made, its state and, while it is open, a Revoke
 * button. Also the Home tab's "Your recent links". Pure.
 */
import type { KnownBlock } from '@slack/types';
import { notAdminLine } from '../../core/admin/describe.js';
import { describeLinkState, type LinksOutcome, type LinksScope, linkState } from '../../core/links.js';
import type { PartnerLink } from '../../core/model.js';
import { channel, code, command, type Line, strong, user } from '../../core/text.js';
import { REVOKE_LINK_ACTION, REVOKE_LISTED_LINK_ACTION } from '../ids.js';
import { slackDate, toMrkdwn } from '../mrkdwn.js';
import {
  button,
  clip,
  context,
  ephemeral,
  MAX_MESSAGE_BLOCKS,
  MESSAGE_TEXT_BUDGET,
  type Reply,
  section,
} from './blocks.js';

/** What a listed link's Revoke button carries: the link, and which listing to show again afterwards. */
export interface ListedLinkValue {
  readonly id: string;
  readonly scope: LinksScope;
}

export const listedLinkValue = (value: ListedLinkValue): string => JSON.stringify(value);

export function parseListedLinkValue(text: string | undefined): ListedLinkValue | undefined {
  try {
    const v = JSON.parse(text ?? '') as Partial<ListedLinkValue>;
    if (typeof v.id !== 'string' || typeof v.scope !== 'object' || v.scope === null) return undefined;
    return { id: v.id, scope: v.scope as LinksScope };
  } catch {
    return undefined;
  }
}

/** The Revoke buttons' confirmation (reply, `links`, Home): what a revoke does, and what it cannot stop. */
export const revokeConfirm = {
  title: { type: 'plain_text', text: 'Revoke this link?' },
  text: {
    type: 'plain_text',
    text: 'Its partner page stops signing uploads at once; one already under way may finish.',
  },
  confirm: { type: 'plain_text', text: 'Revoke' },
  deny: { type: 'plain_text', text: 'Keep it' },
} as const;

/** One link as a section: name, where and by whom (when listing more than your own), state, id. */
export function linkRow(
  link: PartnerLink,
  now: Date,
  options: { who: boolean; where: boolean; value: string; actionId?: string },
): KnownBlock {
  const line: Line = [
    strong(link.filename),
    ...(options.where ? [' in ', channel(link.channelId)] : []),
    ...(options.who ? [' by ', user(link.requester)] : []),
  ];
  const text = [
    toMrkdwn(line),
    `created ${slackDate(link.createdAt)} · ${toMrkdwn(describeLinkState(link, now))} · id ${toMrkdwn([code(link.id)])}`,
    toMrkdwn([code(clip(link.key, 1100))]),
  ].join('\n');
  if (linkState(link, now) !== 'open') return section(text);
  return section(
    text,
    button('Revoke', options.actionId ?? REVOKE_LISTED_LINK_ACTION, options.value, {
      style: 'danger',
      confirm: revokeConfirm,
    }),
  );
}

function heading(scope: LinksScope): Line {
  if (scope.kind === 'mine') return [strong('Your links in ', channel(scope.channelId))];
  if (scope.kind === 'channel') return [strong('Links in ', channel(scope.channelId))];
  return [strong('Links in every channel')];
}

export function renderLinks(outcome: LinksOutcome, feedback?: string): Reply {
  if (outcome.kind === 'links-not-admin') {
    return ephemeral(
      `${toMrkdwn(notAdminLine(outcome.admins))} ${toMrkdwn(['Without an admin, ', command('links'), ' shows your own links in this channel.'])}`,
    );
  }
  if (outcome.kind === 'links-usage') {
    return ephemeral(
      toMrkdwn([
        `I don't understand "${outcome.typed}". `,
        command('links'),
        ' lists your links in this channel; admins can add a #channel or ',
        code('everywhere'),
        '.',
      ]),
    );
  }
  const { scope, links, total, now } = outcome;
  const head = toMrkdwn(heading(scope));
  const blocks: KnownBlock[] = [];
  if (feedback !== undefined) blocks.push(section(feedback));
  blocks.push(section(links.length === 0 ? `${head}\nNone yet.` : `${head} (newest first)`));
  // As many rows as the message's text budget holds (long names and keys take room), then how many more there are.
  let used = (feedback?.length ?? 0) + head.length;
  let shown = 0;
  for (const link of links) {
    const row = linkRow(link, now, {
      who: scope.kind !== 'mine',
      where: scope.kind === 'everywhere',
      value: listedLinkValue({ id: link.id, scope }),
    });
    const size = row.type === 'section' ? (row.text?.text.length ?? 0) : 0;
    if (used + size > MESSAGE_TEXT_BUDGET || blocks.length >= MAX_MESSAGE_BLOCKS - 1) break;
    blocks.push(row);
    used += size;
    shown += 1;
  }
  if (total > shown) blocks.push(context(`… and ${total - shown} older links not shown.`));
  const text = [feedback, `${head}: ${total} link${total === 1 ? '' : 's'}`].filter(Boolean).join('\n');
  return ephemeral(text, blocks);
}

export { REVOKE_LINK_ACTION };
