/**
 * Pure Block Kit builders: an outcome in, the ephemeral reply out. No Slack client, no I/O.
 * https://docs.slack.dev/reference/block-kit/blocks
 */
import type { KnownBlock } from '@slack/types';
import { ADMIN_LINKS_USAGE, spellUsage, USAGE, usageFor } from '../../core/admin/usage.js';
import type { CommandWord } from '../../core/command.js';
import { describeRange, formatDuration, roundDown } from '../../core/durations.js';
import { describeLimits, hasLimits, MAX_PUT_BYTES } from '../../core/limits.js';
import { code, command, joined, type Line, user } from '../../core/text.js';
import type { IssuedLink, UploadOutcome } from '../../core/upload.js';
import { isoSeconds } from '../../lib/time.js';
import { COMMAND, REVOKE_LINK_ACTION } from '../ids.js';
import { escapeMrkdwn, slackDate, toMrkdwn } from '../mrkdwn.js';
import { codeBlock, context, ephemeral, type Reply, section } from './blocks.js';
import { revokeConfirm } from './links.js';

export type { Reply };
export { COMMAND };

/** POSIX shell single-quoting: safe for any name a partner's file may have. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The upload from a terminal. `--fail-with-body` (curl 7.76+) exits non-zero when S3 refuses (an expired link, a
 * changed file) and still prints S3's reason, so a script can tell; curl treats `[]{}` in a file name as a glob
 * (`--globoff` takes it literally), and `-` as standard input or an option (`./` in front means the file).
 * `headers` are the signed ones the PUT must carry (encryption with S3_SSE), one `-H` each.
 */
export function curlCommand(filename: string, url: string, headers: Readonly<Record<string, string>> = {}): string {
  const globoff = /[[\]{}]/.test(filename) ? '--globoff ' : '';
  const file = filename.startsWith('-') ? `./${filename}` : filename;
  const sent = Object.entries(headers)
    .map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)} `)
    .join('');
  return `curl --fail-with-body ${globoff}${sent}--upload-file ${shellQuote(file)} ${shellQuote(url)}`;
}

const say = (...line: Line): string => toMrkdwn(line);

export const messages = {
  missingFilename: (expiry: string) =>
    say('Tell me the file name first, then the expiry: ', command(`report.pdf ${expiry}`), '. Nothing was created.'),
  badExpiry: (typed: string, range: string) =>
    say(
      `"${typed}" isn't an expiry I can use. Give a number and a unit m, h, d or w (like 45m, 2h, 3d, 1w), from ${range}. Nothing was created.`,
    ),
  emptyFilename: () => say('Give the file name to collect, like ', command('report.pdf'), '. Nothing was created.'),
  nothingLeft: (typed: string) =>
    say(
      `"${typed}" has nothing usable as a file name once folders, dots and control characters are removed. Try a plain name like `,
      code('report.pdf'),
      '. Nothing was created.',
    ),
  refused: (admins: readonly string[]) =>
    admins.length > 0
      ? say("You can't create upload links here. Ask an admin for access: ", ...joined(admins.map(user)), '.')
      : say(
          "You can't create upload links here, and no admins are set up yet: ask whoever runs this bot to add you to ALLOWED_USER_IDS or ADMIN_USER_IDS.",
        ),
  groupsUnchecked: () =>
    say(
      "Some access comes through user groups, and Slack didn't answer when I checked them; if you're in one of those groups, try again in a minute.",
    ),
  storeUnavailable: () =>
    say('The access store is temporarily unavailable, so nothing was created. Please try again in a moment.'),
  signingUnavailable: () =>
    say(
      "I can't sign upload links right now: the bot's AWS credentials are missing or expired. Nothing was created; please tell whoever runs this bot.",
    ),
  typeNotAllowed: (filename: string, types: readonly string[]) =>
    say(
      `This channel accepts only ${types.join(', ')} files, so I can't make a link for "${filename}". Nothing was created.`,
    ),
  needsPartnerPage: (limits: string) =>
    say(
      `This channel limits uploads (${limits}), and only the partner page can enforce that, but the bot has no PUBLIC_URL. Ask whoever runs the bot to set it. Nothing was created.`,
    ),
  internalError: () => say('Something went wrong on my side and nothing was created. Please try again in a moment.'),
  rawUrlCeiling: () => say('The raw URL takes one PUT of at most 5 GB; larger files cannot be sent with it.'),
  rawUrlCeilingUsePage: () =>
    say('The raw URL takes one PUT of at most 5 GB; files over 5 GB need the partner page, which sends them in parts.'),
  largeFilesUsePage: () =>
    say('Files over 5 GB are welcome here: the partner page sends them in parts, and resumes if the connection drops.'),
  tooLong: (typed: string, max: number) =>
    say(`"${typed}" is too long: at most ${formatDuration(max)} here. Nothing was created.`),
  tooShort: (typed: string, min: number) =>
    say(`"${typed}" is too short: at least ${formatDuration(min)}. Nothing was created.`),
  didYouMean: (typed: string, command: CommandWord) =>
    [
      say(`"${typed}" isn't a command. Did you mean `, code(command), '? Nothing was created.'),
      say('Usage: ', { usage: usageFor(command) }),
    ].join('\n'),
  notAName: (what: NotAName['what'], typed: string) => say(...notANameLine(what, typed)),
  leftover: (filename: string, expiry: string, leftover: string) =>
    filename === ''
      ? say('The expiry goes after the file name: ', command(`report.pdf ${expiry}`), '. Nothing was created.')
      : say(
          `I read "${filename}" as the file and ${expiry} as its expiry, but "${leftover}" is left over. If it is all the file's name, put it in quotes: `,
          command(quoted(`${filename} ${expiry} ${leftover}`)),
          '; otherwise ',
          command(`${quotedIfSpaced(filename)} ${expiry}`),
          '. Nothing was created.',
        ),
  unclosedQuote: (typed: string) =>
    say(
      `The quote before "${typed}" is never closed. Put the whole name between quotes: `,
      command(quoted(typed)),
      '. Nothing was created.',
    ),
  bareWord: (word: string) =>
    say(
      `"${word}" isn't a command, and has no file extension. For a file called ${word}, put the name in quotes: `,
      command(quoted(word)),
      '. ',
      command('help'),
      ' lists the commands. Nothing was created.',
    ),
  expiryLimited: (requested: Date) =>
    say(
      `This link expires earlier than the ${isoSeconds(requested)} you asked for, because the AWS credentials the bot signs with expire then.`,
    ),
} as const;

type NotAName = Extract<UploadOutcome, { kind: 'not-a-name' }>;

/** A name as the user should type it, quoted, with quotes inside escaped. */
const quoted = (name: string) => `"${name.replace(/(["\\])/g, '\\$1')}"`;
const quotedIfSpaced = (name: string) => (/\s/.test(name) ? quoted(name) : name);

function notANameLine(what: NotAName['what'], typed: string): Line {
  switch (what) {
    case 'mention':
    case 'usergroup':
      return [
        `A file name can't contain a mention ("${typed}"). To let someone create links, an admin types `,
        command(`allow ${typed}`),
        '; for a file, give just its name, like ',
        command('report.pdf'),
        '. Nothing was created.',
      ];
    case 'channel':
      return [
        `A file name can't contain a channel ("${typed}"): a link is for the channel you type in. Admins choose who may create links where with `,
        command(`allow @person ${typed}`),
        '. Nothing was created.',
      ];
    case 'special':
      return [`A file name can't contain "${typed}". Nothing was created.`];
    case 'setting':
      return [
        `"${typed}" is a setting, not a file name: admins change settings with `,
        command(`settings ${typed}`),
        '. Nothing was created.',
      ];
  }
}

export function renderHelp(
  bounds: { minSeconds: number; maxSeconds: number },
  defaultExpirySeconds: number,
  forAdmin = false,
): Reply {
  const lines = [
    `*${COMMAND}* creates a link your partner can upload one file to, straight into this channel's S3 folder. Only you see the reply.`,
    `• \`${COMMAND} report.pdf\` — link for report.pdf, valid ${formatDuration(defaultExpirySeconds)}`,
    `• \`${COMMAND} "Q3 figures.xlsx" 2h\` — quote names with spaces; the expiry is a number and m, h, d or w`,
    `• \`${COMMAND} report.pdf 3d once\` — the link closes after one file arrives`,
    `• \`${COMMAND} links\` — your links in this channel, each with a Revoke button`,
    `• \`${COMMAND} revoke &lt;link id or page address&gt;\` — close a link`,
    `Expiry: ${describeRange(bounds)}. Each link makes a new, unique object, so two links never overwrite each other.`,
  ];
  if (forAdmin) {
    lines.push(
      '*Admin commands*',
      ...[...Object.values(USAGE), ADMIN_LINKS_USAGE].map(
        (usage) => `• \`${escapeMrkdwn(`${COMMAND} ${spellUsage(usage, 'slack')}`)}\``,
      ),
      "The app's Home tab shows every rule and lets you change them.",
    );
  }
  return ephemeral(lines.join('\n').replace(/\*|`/g, ''), [section(lines.join('\n'))]);
}

/** Where the arrival will be told, said only as far as it is known. */
const ANNOUNCE: Record<IssuedLink['announce'], string> = {
  channel: 'the channel hears when the file arrives.',
  dm: "I'm not in this conversation, so you'll hear by direct message when the file arrives (to have it announced here, add me: `/invite @upload-link`).",
  unknown: "the channel hears when the file arrives (or you, by direct message, if I can't post there).",
  none: "I won't hear when the file arrives (the bot has no S3 events and doesn't poll): look in the bucket.",
};

const sentence = (text: string) => text.replace(/^./, (c) => c.toUpperCase());

/** The partner page's link, how long it stays open, and its Revoke button. */
function partnerSection(
  partner: NonNullable<IssuedLink['partner']>,
  remaining: number,
  announce: IssuedLink['announce'],
): KnownBlock {
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: [
        `*Partner page:* <${escapeMrkdwn(partner.url)}>`,
        `Open until ${slackDate(partner.expiresAt)} (in about ${formatDuration(roundDown(remaining))})${partner.singleUse ? ', or until one file arrives' : ''}. Anyone can upload with it in a browser; ${ANNOUNCE[announce]}`,
      ].join('\n'),
    },
    accessory: {
      type: 'button',
      action_id: REVOKE_LINK_ACTION,
      value: partner.id,
      style: 'danger',
      text: { type: 'plain_text', text: 'Revoke' },
      confirm: revokeConfirm,
    },
  };
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
    blocks.push(partnerSection(partner, remaining, link.announce));
    if (hasLimits(link.limits)) {
      blocks.push(context(`Accepted: ${describeLimits(link.limits)}. S3 itself refuses anything else.`));
    }
  } else {
    blocks.push(
      section(
        `Expires ${slackDate(link.expiresAt)} (in about ${formatDuration(roundDown(remaining))})${link.singleUse ? ', or at the first upload: S3 refuses a second' : ''}. ${sentence(ANNOUNCE[link.announce])}`,
      ),
    );
  }
  if (link.url !== undefined) {
    if (partner !== undefined) {
      blocks.push(
        context(
          link.singleUse
            ? `For scripts, the raw URL below takes one upload until ${slackDate(link.expiresAt)} (S3 refuses a second); revoking closes only the partner page.`
            : `For scripts, the raw URL below works until ${slackDate(link.expiresAt)}; revoking closes only the partner page.`,
        ),
      );
    }
    if (link.limitedByCredentials) blocks.push(context(`:warning: ${messages.expiryLimited(link.requestedExpiresAt)}`));
    blocks.push(
      codeBlock('Upload URL (PUT)', link.url),
      codeBlock('Upload from a terminal', curlCommand(link.filename, link.url, link.urlHeaders)),
      context(partner === undefined ? messages.rawUrlCeiling() : messages.rawUrlCeilingUsePage()),
    );
  } else if (partner !== undefined) {
    blocks.push(context('No raw URL in this channel: its limits can only be enforced through the partner page.'));
    if ((link.limits.maxSizeBytes ?? 0) > MAX_PUT_BYTES) blocks.push(context(messages.largeFilesUsePage()));
  }
  blocks.push(
    context(
      `Only you can see this. Anyone with the link can upload to this key${link.singleUse ? ' once' : ''} until it expires: share it only with the person sending the file.`,
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

export function renderOutcome(outcome: UploadOutcome, now: Date): Reply {
  switch (outcome.kind) {
    case 'help':
      return renderHelp(outcome.bounds, outcome.defaultExpirySeconds, outcome.forAdmin);
    case 'missing-filename':
      return ephemeral(messages.missingFilename(outcome.expiry));
    case 'bad-expiry':
      if (outcome.reason === 'too-long') return ephemeral(messages.tooLong(outcome.typed, outcome.bounds.maxSeconds));
      if (outcome.reason === 'too-short') return ephemeral(messages.tooShort(outcome.typed, outcome.bounds.minSeconds));
      return ephemeral(messages.badExpiry(outcome.typed, describeRange(outcome.bounds)));
    case 'did-you-mean':
      return ephemeral(messages.didYouMean(outcome.typed, outcome.command));
    case 'not-a-name':
      return ephemeral(messages.notAName(outcome.what, outcome.typed));
    case 'leftover':
      return ephemeral(messages.leftover(outcome.filename, outcome.expiry, outcome.leftover));
    case 'unclosed-quote':
      return ephemeral(messages.unclosedQuote(outcome.typed));
    case 'bare-word':
      return ephemeral(messages.bareWord(outcome.word));
    case 'bad-filename':
      return ephemeral(outcome.reason === 'empty' ? messages.emptyFilename() : messages.nothingLeft(outcome.typed));
    case 'refused':
      return ephemeral(
        outcome.groupsUnchecked
          ? `${messages.refused(outcome.admins)} ${messages.groupsUnchecked()}`
          : messages.refused(outcome.admins),
      );
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
