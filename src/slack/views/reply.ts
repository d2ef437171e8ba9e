/**
 * Pure Block Kit builders: an outcome in, the ephemeral reply out. No Slack client, no I/O.
 * https://docs.slack.dev/reference/block-kit/blocks
 */
import type { KnownBlock, RichTextBlock } from '@slack/types';
import { USAGE } from '../../core/admin.js';
import { describeRange, formatDuration } from '../../core/durations.js';
import { describeLimits, hasLimits } from '../../core/limits.js';
import type { IssuedLink, UploadOutcome } from '../../core/upload.js';
import { COMMAND, REVOKE_LINK_ACTION } from '../ids.js';
import { escapeMrkdwn } from '../mrkdwn.js';

export { COMMAND };

export interface Reply {
  readonly response_type: 'ephemeral';
  readonly text: string;
  readonly blocks?: KnownBlock[];
}

export { escapeMrkdwn } from '../mrkdwn.js';

/** POSIX shell single-quoting: safe for any name a partner's file may have. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** curl treats `[]{}` in a file name as a glob; `--globoff` makes it take the name literally. */
export function curlCommand(filename: string, url: string): string {
  const globoff = /[[\]{}]/.test(filename) ? '--globoff ' : '';
  return `curl ${globoff}--upload-file ${shellQuote(filename)} ${shellQuote(url)}`;
}

/** Slack date formatting: each reader sees their own time zone; the fallback is ISO-8601 UTC. */
export const slackDate = (at: Date): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${isoSeconds(at)}>`;

export const isoSeconds = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

const mention = (userId: string) => `<@${userId}>`;

const ephemeral = (text: string, blocks?: KnownBlock[]): Reply =>
  blocks === undefined ? { response_type: 'ephemeral', text } : { response_type: 'ephemeral', text, blocks };

const section = (mrkdwn: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } });

const context = (mrkdwn: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn }] });

function codeBlock(label: string, code: string): RichTextBlock {
  return {
    type: 'rich_text',
    elements: [
      { type: 'rich_text_section', elements: [{ type: 'text', text: label, style: { bold: true } }] },
      { type: 'rich_text_preformatted', elements: [{ type: 'text', text: code }] },
    ],
  };
}

export const messages = {
  missingFilename: (expiry: string) =>
    `Tell me the file name first, then the expiry: \`${COMMAND} report.pdf ${escapeMrkdwn(expiry)}\`. Nothing was created.`,
  badExpiry: (typed: string, range: string) =>
    `"${escapeMrkdwn(typed)}" isn't an expiry I can use. Give a number and a unit m, h, d or w (like 45m, 2h, 3d, 1w), from ${range}. Nothing was created.`,
  emptyFilename: () => `Give the file name to collect, like \`${COMMAND} report.pdf\`. Nothing was created.`,
  nothingLeft: (typed: string) =>
    `"${escapeMrkdwn(typed)}" has nothing usable as a file name once folders, dots and control characters are removed. Try a plain name like \`report.pdf\`. Nothing was created.`,
  refused: (admins: readonly string[]) =>
    admins.length > 0
      ? `You can't create upload links here. Ask an admin for access: ${admins.map(mention).join(', ')}.`
      : "You can't create upload links here, and no admins are set up yet: ask whoever runs this bot to add you to ALLOWED_USER_IDS or ADMIN_USER_IDS.",
  groupsUnchecked: () =>
    "Some access comes through user groups, and Slack didn't answer when I checked them; if you're in one of those groups, try again in a minute.",
  storeUnavailable: () =>
    'The access store is temporarily unavailable, so nothing was created. Please try again in a moment.',
  signingUnavailable: () =>
    "I can't sign upload links right now: the bot's AWS credentials are missing or expired. Nothing was created; please tell whoever runs this bot.",
  typeNotAllowed: (filename: string, types: readonly string[]) =>
    `This channel accepts only ${types.join(', ')} files, so I can't make a link for "${escapeMrkdwn(filename)}". Nothing was created.`,
  needsPartnerPage: (limits: string) =>
    `This channel limits uploads (${limits}), and only the partner page can enforce that, but the bot has no PUBLIC_URL. Ask whoever runs the bot to set it. Nothing was created.`,
  internalError: () => 'Something went wrong on my side and nothing was created. Please try again in a moment.',
  expiryLimited: (requested: Date) =>
    `This link expires earlier than the ${isoSeconds(requested)} you asked for, because the AWS credentials the bot signs with expire then.`,
} as const;

export function renderHelp(
  bounds: { minSeconds: number; maxSeconds: number },
  defaultExpirySeconds: number,
  forAdmin = false,
): Reply {
  const lines = [
    `*${COMMAND}* creates a link your partner can upload one file to, straight into this channel's S3 folder. Only you see the reply.`,
    `• \`${COMMAND} report.pdf\` — link for report.pdf, valid ${formatDuration(defaultExpirySeconds)}`,
    `• \`${COMMAND} "Q3 figures.xlsx" 2h\` — quote names with spaces; the expiry is a number and m, h, d or w`,
    `Expiry: ${describeRange(bounds)}. Each link makes a new, unique object, so two links never overwrite each other.`,
  ];
  if (forAdmin) {
    lines.push(
      '*Admin commands*',
      ...Object.values(USAGE).map((usage) => `• \`${escapeMrkdwn(usage)}\``),
      "The app's Home tab shows every rule and lets you change them.",
    );
  }
  return ephemeral(lines.join('\n').replace(/\*|`/g, ''), [section(lines.join('\n'))]);
}

export function renderIssued(link: IssuedLink, now: Date): Reply {
  const location = `s3://${link.bucket}/${link.key}`;
  const { partner } = link;
  const closes = partner?.expiresAt ?? link.expiresAt;
  const remaining = Math.max(0, Math.round((closes.getTime() - now.getTime()) / 1000));
  const blocks: KnownBlock[] = [
    {
      type: 'rich_text',
      elements: [
        {
          type: 'rich_text_section',
          elements: [
            { type: 'text', text: 'Upload link for ' },
            { type: 'text', text: link.filename, style: { bold: true } },
            { type: 'text', text: '\nLands in ' },
            { type: 'text', text: location, style: { code: true } },
          ],
        },
      ],
    },
  ];
  if (partner !== undefined) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          `*Partner page:* <${escapeMrkdwn(partner.url)}>`,
          `Open until ${slackDate(partner.expiresAt)} (in about ${formatDuration(roundDown(remaining))})${partner.singleUse ? ', or until one file arrives' : ''}. Anyone can upload with it in a browser; the channel hears when the file arrives.`,
        ].join('\n'),
      },
      accessory: {
        type: 'button',
        action_id: REVOKE_LINK_ACTION,
        value: partner.id,
        style: 'danger',
        text: { type: 'plain_text', text: 'Revoke' },
        confirm: {
          title: { type: 'plain_text', text: 'Revoke this link?' },
          text: { type: 'plain_text', text: 'The partner page closes at once and accepts no more uploads.' },
          confirm: { type: 'plain_text', text: 'Revoke' },
          deny: { type: 'plain_text', text: 'Keep it' },
        },
      },
    });
    if (hasLimits(link.limits)) {
      blocks.push(context(`Accepted: ${describeLimits(link.limits)}. S3 itself refuses anything else.`));
    }
  } else {
    blocks.push(section(`Expires ${slackDate(link.expiresAt)} (in about ${formatDuration(roundDown(remaining))})`));
  }
  if (link.url !== undefined) {
    if (partner !== undefined) {
      blocks.push(
        context(
          `For scripts, the raw URL below works until ${slackDate(link.expiresAt)}; revoking closes only the partner page.`,
        ),
      );
    }
    if (link.limitedByCredentials) blocks.push(context(`:warning: ${messages.expiryLimited(link.requestedExpiresAt)}`));
    blocks.push(
      codeBlock('Upload URL (PUT)', link.url),
      codeBlock('Upload from a terminal', curlCommand(link.filename, link.url)),
    );
  } else if (partner !== undefined) {
    blocks.push(context('No raw URL in this channel: its limits can only be enforced through the partner page.'));
  }
  blocks.push(
    context(
      'Only you can see this. Anyone with the link can upload to this key until it expires: share it only with the person sending the file.',
    ),
  );
  const text = [
    `Upload link for ${link.filename} → ${location}`,
    ...(partner === undefined ? [] : [`Partner page: ${partner.url} (open until ${isoSeconds(partner.expiresAt)})`]),
    ...(link.url === undefined
      ? []
      : [
          `Expires ${isoSeconds(link.expiresAt)}${link.limitedByCredentials ? ' (limited by the AWS credentials)' : ''}`,
          link.url,
        ]),
  ].join('\n');
  return ephemeral(escapeMrkdwn(text), blocks);
}

/** "in about 23 hours" reads better than "in about 86340 seconds" when a second has passed. */
function roundDown(seconds: number): number {
  for (const size of [604_800, 86_400, 3600, 60]) {
    if (seconds >= size) return Math.floor(seconds / size) * size;
  }
  return seconds;
}

export function renderOutcome(outcome: UploadOutcome, now: Date): Reply {
  switch (outcome.kind) {
    case 'help':
      return renderHelp(outcome.bounds, outcome.defaultExpirySeconds, outcome.forAdmin);
    case 'missing-filename':
      return ephemeral(messages.missingFilename(outcome.expiry));
    case 'bad-expiry':
      return ephemeral(messages.badExpiry(outcome.typed, describeRange(outcome.bounds)));
    case 'bad-filename':
      return ephemeral(outcome.reason === 'empty' ? messages.emptyFilename() : messages.nothingLeft(outcome.typed));
    case 'refused':
      return ephemeral(
        outcome.groupsUnchecked
          ? `${messages.refused(outcome.admins)} ${messages.groupsUnchecked()}`
          : messages.refused(outcome.admins),
      );
    case 'store-unavailable':
      return ephemeral(messages.storeUnavailable());
    case 'signing-unavailable':
      return ephemeral(messages.signingUnavailable());
    case 'type-not-allowed':
      return ephemeral(messages.typeNotAllowed(outcome.filename, outcome.allowedTypes));
    case 'needs-partner-page':
      return ephemeral(messages.needsPartnerPage(describeLimits(outcome.limits)));
    case 'issued':
      return renderIssued(outcome.link, now);
  }
}

/** Slack rejects a section over 3000 characters: split long replies into several sections on line breaks. */
export function textSections(lines: readonly string[], limit = 2900): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
    if (current !== '' && current.length + 1 + piece.length > limit) {
      blocks.push(section(current));
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') blocks.push(section(current));
  return blocks.slice(0, 50);
}

/** An admin command's result as an ephemeral reply. */
export function renderLines(lines: readonly string[]): Reply {
  return ephemeral(lines.join('\n'), textSections(lines));
}
