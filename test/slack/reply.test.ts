import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../../src/core/limits.js';
import type { IssuedLink } from '../../src/core/upload.js';
import { isoSeconds } from '../../src/lib/time.js';
import { escapeMrkdwn, slackDate } from '../../src/slack/mrkdwn.js';
import { COMMAND, curlCommand, messages, renderOutcome, shellQuote } from '../../src/slack/views/reply.js';

const NOW = new Date('2024-03-05T12:00:00.000Z');
const IN_A_DAY = new Date('2024-03-06T12:00:00.000Z');
const BOUNDS = { minSeconds: 60, maxSeconds: 604_800 };
const URL_WITH_QUERY =
  'https://partner-uploads.s3.eu-west-1.amazonaws.com/uploads/C0ACME/2024-03-05/0b6e1f1e/report.pdf' +
  '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240305%2Feu-west-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20240305T120000Z&X-Amz-Expires=86400&X-Amz-Signature=abc123&X-Amz-SignedHeaders=host&x-id=PutObject';

function issued(overrides: Partial<IssuedLink> = {}): IssuedLink {
  return {
    filename: 'report.pdf',
    bucket: 'partner-uploads',
    key: 'uploads/C0ACME/2024-03-05/0b6e1f1e/report.pdf',
    url: URL_WITH_QUERY,
    urlHeaders: {},
    singleUse: false,
    expiresAt: IN_A_DAY,
    requestedExpiresAt: IN_A_DAY,
    limitedByCredentials: false,
    partner: undefined,
    announce: 'channel',
    limits: NO_LIMITS,
    ...overrides,
  };
}

interface LooseElement {
  type: string;
  text?: string | { type: string; text: string };
  style?: Record<string, boolean>;
  elements?: LooseElement[];
}

/** Blocks as plain JSON, the way Slack receives them. */
const blocksOf = (reply: { blocks?: unknown }): LooseElement[] => JSON.parse(JSON.stringify(reply.blocks ?? []));

/** Text of every `rich_text_preformatted` element: the code blocks a user copies from. */
const codeBlocks = (reply: { blocks?: unknown }): string[] =>
  blocksOf(reply)
    .flatMap((block) => block.elements ?? [])
    .filter((element) => element.type === 'rich_text_preformatted')
    .map((element) => (element.elements ?? []).map((e) => e.text).join(''));

/** Text of every mrkdwn object (sections and contexts): what Slack parses for `<...>` and entities. */
const mrkdwnTexts = (reply: { blocks?: unknown }): string[] =>
  blocksOf(reply).flatMap((block) => {
    const own = typeof block.text === 'object' && block.text.type === 'mrkdwn' ? [block.text.text] : [];
    const inner = (block.elements ?? []).filter((e) => e.type === 'mrkdwn').map((e) => e.text as string);
    return [...own, ...inner];
  });

/** Run `command` through a POSIX shell with `curl` replaced by a function that prints its arguments. */
function curlArguments(command: string): string[] {
  const out = execFileSync('sh', ['-c', `curl() { printf '%s\\0' "$@"; }; ${command}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('renderOutcome: issued', () => {
  it('is ephemeral, with blocks and a fallback text', () => {
    const reply = renderOutcome({ kind: 'issued', link: issued() }, NOW);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.blocks?.length).toBeGreaterThan(0);
  });

  it('fallback text has the full URL (entity-escaped, as mrkdwn needs), the location and the ISO UTC expiry', () => {
    const reply = renderOutcome({ kind: 'issued', link: issued() }, NOW);
    expect(reply.text).toContain(URL_WITH_QUERY.replace(/&/g, '&amp;'));
    expect(reply.text).not.toMatch(/&(?!amp;)/);
    expect(reply.text).toContain('Expires 2024-03-06T12:00:00Z');
    expect(reply.text).toContain('s3://partner-uploads/uploads/C0ACME/2024-03-05/0b6e1f1e/report.pdf');
    expect(reply.text).toContain('report.pdf');
  });

  it('blocks show the name, the s3:// location and the expiry with Slack date formatting', () => {
    const reply = renderOutcome({ kind: 'issued', link: issued() }, NOW);
    const json = JSON.stringify(reply.blocks);
    expect(json).toContain('"text":"report.pdf","style":{"bold":true}');
    expect(json).toContain('"text":"s3://partner-uploads/uploads/C0ACME/2024-03-05/0b6e1f1e/report.pdf"');
    const unix = IN_A_DAY.getTime() / 1000;
    expect(mrkdwnTexts(reply)).toContainEqual(
      `Expires <!date^${unix}^{date_short_pretty} at {time}|2024-03-06T12:00:00Z> (in about 1 day). The channel hears when the file arrives.`,
    );
  });

  it('"in about" rounds down to the largest whole unit left', () => {
    const almostADay = renderOutcome({ kind: 'issued', link: issued() }, new Date(NOW.getTime() + 60_000));
    expect(mrkdwnTexts(almostADay).join('\n')).toContain('(in about 23 hours)');
    const expired = renderOutcome({ kind: 'issued', link: issued() }, new Date(IN_A_DAY.getTime() + 5000));
    expect(mrkdwnTexts(expired).join('\n')).toContain('(in about 0 seconds)');
  });

  it('the URL is in a code block, unescaped, ready to copy', () => {
    const reply = renderOutcome({ kind: 'issued', link: issued() }, NOW);
    expect(codeBlocks(reply)).toContain(URL_WITH_QUERY);
  });

  it('has a ready curl command in a code block', () => {
    const reply = renderOutcome({ kind: 'issued', link: issued() }, NOW);
    expect(codeBlocks(reply)).toContain(`curl --fail-with-body --upload-file 'report.pdf' '${URL_WITH_QUERY}'`);
  });

  it('the curl command passes the name and URL to curl exactly, through a real shell', () => {
    const name = 'Partner\'s data [final] $(echo injected) `id` "q" 名 🚀.csv';
    const reply = renderOutcome({ kind: 'issued', link: issued({ filename: name }) }, NOW);
    const command = codeBlocks(reply).find((code) => code.startsWith('curl '));
    expect(command).toBeDefined();
    expect(curlArguments(command as string)).toEqual([
      '--fail-with-body',
      '--globoff',
      '--upload-file',
      name,
      URL_WITH_QUERY,
    ]);
  });

  it('names with mrkdwn control characters are escaped in the fallback text but kept as typed in blocks', () => {
    const name = 'R&D <draft> & more.txt';
    const reply = renderOutcome({ kind: 'issued', link: issued({ filename: name }) }, NOW);
    expect(reply.text).toContain('R&amp;D &lt;draft&gt; &amp; more.txt');
    expect(reply.text).not.toContain('<draft>');
    // rich_text text elements are not mrkdwn: Slack shows them literally.
    expect(JSON.stringify(reply.blocks)).toContain(JSON.stringify(name));
    for (const text of mrkdwnTexts(reply)) expect(text).not.toContain('<draft>');
  });

  it('says nothing about credentials when the asked expiry holds', () => {
    const reply = renderOutcome({ kind: 'issued', link: issued() }, NOW);
    expect(reply.text).not.toContain('limited');
    expect(JSON.stringify(reply.blocks)).not.toContain(':warning:');
  });

  it('warns when the credentials cut the expiry short, giving the asked time and the real one', () => {
    const credentialsEnd = new Date('2024-03-05T13:00:00Z');
    const link = issued({ expiresAt: credentialsEnd, requestedExpiresAt: IN_A_DAY, limitedByCredentials: true });
    const reply = renderOutcome({ kind: 'issued', link }, NOW);
    expect(reply.text).toContain('Expires 2024-03-05T13:00:00Z (limited by the AWS credentials)');
    expect(mrkdwnTexts(reply)).toContainEqual(`:warning: ${messages.expiryLimited(IN_A_DAY)}`);
    expect(messages.expiryLimited(IN_A_DAY)).toContain('2024-03-06T12:00:00Z');
    expect(messages.expiryLimited(IN_A_DAY)).toContain('AWS credentials');
    expect(mrkdwnTexts(reply).join('\n')).toContain(
      `<!date^${credentialsEnd.getTime() / 1000}^{date_short_pretty} at {time}|2024-03-05T13:00:00Z>`,
    );
  });
});

describe('renderOutcome: everything but issued', () => {
  it('help is ephemeral usage with the range and the default expiry', () => {
    const reply = renderOutcome({ kind: 'help', bounds: BOUNDS, defaultExpirySeconds: 86_400, forAdmin: false }, NOW);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(`${COMMAND} report.pdf`);
    expect(reply.text).toContain('"Q3 figures.xlsx" 2h');
    expect(reply.text).toContain('1 minute to 1 week');
    expect(reply.text).toContain('valid 1 day');
    expect(reply.text).not.toMatch(/[*`]/); // the plain fallback has no mrkdwn markup
    expect(mrkdwnTexts(reply).join('\n')).toContain(`\`${COMMAND} report.pdf\``);
  });

  it('help names the configured range', () => {
    const reply = renderOutcome(
      { kind: 'help', bounds: { minSeconds: 60, maxSeconds: 7200 }, defaultExpirySeconds: 3600, forAdmin: false },
      NOW,
    );
    expect(reply.text).toContain('1 minute to 2 hours');
    expect(reply.text).toContain('valid 1 hour');
  });

  it('bad expiry names what was typed and the allowed range', () => {
    const reply = renderOutcome({ kind: 'bad-expiry', typed: '10y', bounds: BOUNDS, reason: 'unparsable' }, NOW);
    expect(reply).toEqual({ response_type: 'ephemeral', text: messages.badExpiry('10y', '1 minute to 1 week') });
    expect(reply.text).toContain('"10y"');
    expect(reply.text).toContain('1 minute to 1 week');
    expect(reply.text).toContain('Nothing was created');
  });

  it('bad expiry escapes what was typed', () => {
    const reply = renderOutcome(
      { kind: 'bad-expiry', typed: '<!channel>&', bounds: BOUNDS, reason: 'unparsable' },
      NOW,
    );
    expect(reply.text).toContain('"&lt;!channel&gt;&amp;"');
  });

  it('missing file name shows how to type it, keeping the expiry', () => {
    const reply = renderOutcome({ kind: 'missing-filename', expiry: '2h' }, NOW);
    expect(reply).toEqual({ response_type: 'ephemeral', text: messages.missingFilename('2h') });
    expect(reply.text).toContain(`\`${COMMAND} report.pdf 2h\``);
  });

  it('an empty name and a name with nothing left get different messages', () => {
    const empty = renderOutcome({ kind: 'bad-filename', typed: '', reason: 'empty' }, NOW);
    expect(empty).toEqual({ response_type: 'ephemeral', text: messages.emptyFilename() });
    const nothing = renderOutcome({ kind: 'bad-filename', typed: '../<x>', reason: 'nothing-left' }, NOW);
    expect(nothing).toEqual({ response_type: 'ephemeral', text: messages.nothingLeft('../<x>') });
    expect(nothing.text).toContain('"../&lt;x&gt;"');
    expect(nothing.text).toContain('Nothing was created');
  });

  it('a refusal names the admins as mentions', () => {
    const reply = renderOutcome({ kind: 'refused', admins: ['U0ADMIN1', 'U0ADMIN2'], groupsUnchecked: false }, NOW);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('<@U0ADMIN1>, <@U0ADMIN2>');
    expect(reply.text).not.toMatch(/https?:/);
    expect(reply).not.toHaveProperty('blocks');
  });

  it('a refusal with no admins says who to ask instead', () => {
    const reply = renderOutcome({ kind: 'refused', admins: [], groupsUnchecked: false }, NOW);
    expect(reply.text).toContain('ADMIN_USER_IDS');
    expect(reply.text).not.toContain('<@');
  });

  it('signing unavailable says nothing was created', () => {
    const reply = renderOutcome({ kind: 'signing-unavailable' }, NOW);
    expect(reply).toEqual({ response_type: 'ephemeral', text: messages.signingUnavailable() });
    expect(reply.text).toContain('Nothing was created');
  });
});

describe('shellQuote', () => {
  it.each([
    'report.pdf',
    "John's report.pdf",
    "'",
    "''",
    "it'''s",
    'a "quoted" name',
    '$(echo injected) `id` $HOME $PATH ~',
    'back\\slash\\n',
    '-n',
    '*.pdf ? [a]',
    'tab\there',
    'line\nbreak',
    'Übersicht 報告 🚀.xlsx',
    '',
  ])('%j survives sh exactly', (text) => {
    const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' });
    expect(out).toBe(text);
  });

  it('wraps in single quotes and escapes inner ones the POSIX way', () => {
    expect(shellQuote('report.pdf')).toBe("'report.pdf'");
    expect(shellQuote("John's")).toBe("'John'\\''s'");
  });
});

describe('the raw URL and files over 5 GB', () => {
  const contexts = (reply: { blocks?: unknown }) =>
    blocksOf(reply)
      .filter((b) => b.type === 'context')
      .map((b) => JSON.stringify(b));

  it('says a raw URL takes one PUT of at most 5 GB, and that larger files need the partner page', () => {
    expect(contexts(renderOutcome({ kind: 'issued', link: issued() }, NOW)).join()).toContain(
      escapeMrkdwn(messages.rawUrlCeiling()),
    );
    const partner = { id: 'abc', url: 'https://u.example/u/abc', expiresAt: IN_A_DAY, singleUse: false };
    expect(contexts(renderOutcome({ kind: 'issued', link: issued({ partner }) }, NOW)).join()).toContain(
      'files over 5 GB need the partner page',
    );
  });

  it('offers the partner page in a channel whose max size is above 5 GB', () => {
    const partner = { id: 'abc', url: 'https://u.example/u/abc', expiresAt: IN_A_DAY, singleUse: false };
    const limits = { maxSizeBytes: 6 * 1024 ** 3, allowedTypes: undefined };
    const large = renderOutcome({ kind: 'issued', link: issued({ url: undefined, partner, limits }) }, NOW);
    expect(contexts(large).join()).toContain('Files over 5 GB are welcome here: the partner page sends them in parts');
    const small = renderOutcome(
      { kind: 'issued', link: issued({ url: undefined, partner, limits: { ...limits, maxSizeBytes: 1024 } }) },
      NOW,
    );
    expect(contexts(small).join()).not.toContain('Files over 5 GB');
  });

  it("the Revoke button's confirmation promises only what a revoke does: no new signatures, one under way may finish", () => {
    const partner = { id: 'abc', url: 'https://u.example/u/abc', expiresAt: IN_A_DAY, singleUse: false };
    const reply = JSON.stringify(renderOutcome({ kind: 'issued', link: issued({ partner }) }, NOW));
    expect(reply).toContain('Its partner page stops signing uploads at once; one already under way may finish.');
    expect(reply).not.toContain('accepts no more uploads');
  });

  it('a single-use raw URL is promised for one upload, with or without the page, and its curl line sends the condition', () => {
    const once = { singleUse: true, urlHeaders: { 'If-None-Match': '*' } };
    const alone = JSON.stringify(renderOutcome({ kind: 'issued', link: issued(once) }, NOW));
    expect(alone).toContain('or at the first upload: S3 refuses a second');
    expect(alone).toContain("-H 'If-None-Match: *'");
    expect(alone).toContain('Anyone with the link can upload to this key once until it expires');
    const partner = { id: 'abc', url: 'https://u.example/u/abc', expiresAt: IN_A_DAY, singleUse: true };
    const withPage = contexts(renderOutcome({ kind: 'issued', link: issued({ ...once, partner }) }, NOW)).join();
    expect(withPage).toContain('the raw URL below takes one upload until');
    const reusable = contexts(renderOutcome({ kind: 'issued', link: issued({ partner }) }, NOW)).join();
    expect(reusable).toContain('the raw URL below works until');
    expect(JSON.stringify(renderOutcome({ kind: 'issued', link: issued() }, NOW))).not.toContain('first upload');
  });

  it('the curl line sends the signed encryption headers with -H', () => {
    const headers = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'k/1' };
    const command = curlCommand('report.pdf', 'https://example.com/k', headers);
    expect(command).toBe(
      "curl --fail-with-body -H 'x-amz-server-side-encryption: aws:kms' -H 'x-amz-server-side-encryption-aws-kms-key-id: k/1' --upload-file 'report.pdf' 'https://example.com/k'",
    );
    expect(curlArguments(command)).toEqual([
      '--fail-with-body',
      '-H',
      'x-amz-server-side-encryption: aws:kms',
      '-H',
      'x-amz-server-side-encryption-aws-kms-key-id: k/1',
      '--upload-file',
      'report.pdf',
      'https://example.com/k',
    ]);
    const reply = JSON.stringify(renderOutcome({ kind: 'issued', link: issued({ urlHeaders: headers }) }, NOW));
    expect(reply).toContain("-H 'x-amz-server-side-encryption: aws:kms'");
  });
});

describe('curlCommand', () => {
  it.each(['data[1].csv', 'a{b}.txt', 'x]y.txt', 'x}y.txt'])('adds --globoff for %j', (name) => {
    const command = curlCommand(name, 'https://example.com/k?a=1&b=2');
    expect(command.startsWith('curl --fail-with-body --globoff --upload-file ')).toBe(true);
    expect(curlArguments(command)).toEqual([
      '--fail-with-body',
      '--globoff',
      '--upload-file',
      name,
      'https://example.com/k?a=1&b=2',
    ]);
  });

  it.each(['report.pdf', "John's (v2) *draft*.pdf", 'a?b.txt'])('no --globoff for %j', (name) => {
    const command = curlCommand(name, 'https://example.com/k');
    expect(command).toBe(`curl --fail-with-body --upload-file ${shellQuote(name)} 'https://example.com/k'`);
    expect(curlArguments(command)).toEqual(['--fail-with-body', '--upload-file', name, 'https://example.com/k']);
  });

  it.each(['-', '-rf.pdf', '--output x'])('a name starting with "-" (%j) is a file, not stdin or an option', (name) => {
    expect(curlArguments(curlCommand(name, 'https://example.com/k'))).toEqual([
      '--fail-with-body',
      '--upload-file',
      `./${name}`,
      'https://example.com/k',
    ]);
  });
});

describe('small helpers', () => {
  it('escapeMrkdwn escapes &, < and > (& first)', () => {
    expect(escapeMrkdwn('a & b <c> &amp;')).toBe('a &amp; b &lt;c&gt; &amp;amp;');
    expect(escapeMrkdwn('plain')).toBe('plain');
  });

  it('isoSeconds is ISO-8601 UTC without milliseconds', () => {
    expect(isoSeconds(new Date('2024-03-05T12:34:56.789Z'))).toBe('2024-03-05T12:34:56Z');
    expect(isoSeconds(new Date('2024-03-05T14:00:00+02:00'))).toBe('2024-03-05T12:00:00Z');
  });

  it('slackDate uses whole unix seconds and an ISO fallback', () => {
    expect(slackDate(new Date('2024-03-05T12:00:00.999Z'))).toBe(
      '<!date^1709640000^{date_short_pretty} at {time}|2024-03-05T12:00:00Z>',
    );
  });
});

describe('where the arrival will be told, said only as far as it is known', () => {
  const withPage = (announce: IssuedLink['announce']) =>
    issued({
      announce,
      partner: {
        id: 'A'.repeat(22),
        url: `https://upload.example.com/u/${'A'.repeat(22)}`,
        expiresAt: IN_A_DAY,
        singleUse: false,
      },
    });
  it.each([
    ['channel', 'the channel hears when the file arrives.'],
    [
      'dm',
      "you'll hear by direct message when the file arrives (to have it announced here, add me: `/invite @upload-link`)",
    ],
    ['unknown', "(or you, by direct message, if I can't post there)"],
  ] as const)('%s', (announce, says) => {
    expect(JSON.stringify(renderOutcome({ kind: 'issued', link: withPage(announce) }, NOW).blocks)).toContain(
      JSON.stringify(says).slice(1, -1),
    );
  });
});

describe('a raw URL alone says whether its upload will be announced', () => {
  it.each([
    ['channel', 'The channel hears when the file arrives.'],
    ['none', "I won't hear when the file arrives (the bot has no S3 events and doesn't poll): look in the bucket."],
  ] as const)('%s', (announce, says) => {
    const blocks = JSON.stringify(renderOutcome({ kind: 'issued', link: issued({ announce }) }, NOW).blocks);
    expect(blocks).toContain(JSON.stringify(says).slice(1, -1));
  });
});
