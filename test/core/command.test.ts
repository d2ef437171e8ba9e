import { describe, expect, it } from 'vitest';
import { parseUploadCommand, tokenize, type UploadCommand } from '../../src/core/command.js';

/** Command text exactly as Slack posts it (with `should_escape: true`) → what the command means. */
const parse = (text: string): UploadCommand => parseUploadCommand(tokenize(text));

describe('tokenize', () => {
  it('splits on any whitespace and drops empty tokens', () => {
    const tokens = tokenize('  a\tb \n c  ');
    expect(tokens.map((t) => t.text)).toEqual(['a', 'b', 'c']);
    expect(tokens.every((t) => !t.quoted)).toBe(true);
  });

  it('returns no tokens for empty or blank text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   \t ')).toEqual([]);
  });

  it('keeps a double-quoted name with spaces as one quoted token', () => {
    const tokens = tokenize('"Q3 figures.xlsx" 2h');
    expect(tokens.map((t) => [t.text, t.quoted])).toEqual([
      ['Q3 figures.xlsx', true],
      ['2h', false],
    ]);
  });

  it.each([
    ['“Q3 figures.xlsx”', 'Q3 figures.xlsx'],
    ['”Q3 figures.xlsx”', 'Q3 figures.xlsx'],
    ['‘Q3 figures.xlsx’', 'Q3 figures.xlsx'],
    ['„Q3 figures.xlsx“', 'Q3 figures.xlsx'],
    ['«Q3 figures.xlsx»', 'Q3 figures.xlsx'],
    ["'Q3 figures.xlsx'", 'Q3 figures.xlsx'],
  ])('smart and single quotes: %s', (typed, name) => {
    const tokens = tokenize(`${typed} 2h`);
    expect(tokens.map((t) => [t.text, t.quoted])).toEqual([
      [name, true],
      ['2h', false],
    ]);
  });

  it("an apostrophe inside a word does not open a quote (John's report.pdf)", () => {
    const tokens = tokenize("John's report.pdf");
    expect(tokens.map((t) => [t.text, t.quoted])).toEqual([
      ["John's", false],
      ['report.pdf', false],
    ]);
  });

  it('a quote closes only before whitespace or the end, so inner apostrophes survive', () => {
    const tokens = tokenize("'John's report.pdf' 1d");
    expect(tokens.map((t) => [t.text, t.quoted])).toEqual([
      ["John's report.pdf", true],
      ['1d', false],
    ]);
  });

  it('an unclosed quote is an ordinary character', () => {
    const tokens = tokenize('"Q3 figures.xlsx 2h');
    expect(tokens.map((t) => [t.text, t.quoted])).toEqual([
      ['"Q3', false],
      ['figures.xlsx', false],
      ['2h', false],
    ]);
  });

  it('parses each kind of Slack escape into a piece', () => {
    const [token] = tokenize(
      '<http://notes.md|notes.md><mailto:a@b.com|a@b.com><@U123|alice><#C123|general><!subteam^S123|@team><!here>',
    );
    expect(token?.pieces).toEqual([
      { kind: 'link', target: 'http://notes.md', label: 'notes.md' },
      { kind: 'link', target: 'mailto:a@b.com', label: 'a@b.com' },
      { kind: 'user', id: 'U123', label: 'alice' },
      { kind: 'channel', id: 'C123', label: 'general' },
      { kind: 'usergroup', id: 'S123', label: '@team' },
      { kind: 'special', name: 'here', label: undefined },
    ]);
    expect(token?.text).toBe('notes.mda@b.com@alice#general@team@here');
  });

  it('an escape is atomic even when its label contains spaces', () => {
    const tokens = tokenize('<http://example.com|my notes.md> 2h');
    expect(tokens.map((t) => t.text)).toEqual(['my notes.md', '2h']);
  });

  it('a quoted token may contain escapes, and a quote inside an escape does not close it', () => {
    const tokens = tokenize('"my <http://notes.md|notes.md>" 2h');
    expect(tokens.map((t) => [t.text, t.quoted])).toEqual([
      ['my notes.md', true],
      ['2h', false],
    ]);
    expect(tokenize('"<http://a.md|a" b.md>"').map((t) => t.text)).toEqual(['a" b.md']);
  });

  it('decodes HTML entities in plain text and in labels, &amp; last', () => {
    expect(tokenize('R&amp;D&lt;1&gt;.pdf')[0]?.text).toBe('R&D<1>.pdf');
    // The user typed "&lt;" literally: Slack sends "&amp;lt;", which must come back as "&lt;", not "<".
    expect(tokenize('a&amp;lt;b.txt')[0]?.text).toBe('a&lt;b.txt');
    expect(tokenize('<http://a.md|x&amp;y.md>')[0]?.text).toBe('x&y.md');
  });
});

describe('parseUploadCommand', () => {
  it.each([
    ['report.pdf', { kind: 'upload', filename: 'report.pdf', expiry: undefined, singleUse: false }],
    ['report.pdf 2h', { kind: 'upload', filename: 'report.pdf', expiry: '2h', singleUse: false }],
    ['report.pdf 45m', { kind: 'upload', filename: 'report.pdf', expiry: '45m', singleUse: false }],
    ['"Q3 figures.xlsx" 2h', { kind: 'upload', filename: 'Q3 figures.xlsx', expiry: '2h', singleUse: false }],
    ['“Q3 figures.xlsx” 2h', { kind: 'upload', filename: 'Q3 figures.xlsx', expiry: '2h', singleUse: false }],
    ['“Q3 figures.xlsx”', { kind: 'upload', filename: 'Q3 figures.xlsx', expiry: undefined, singleUse: false }],
    ["John's report.pdf", { kind: 'upload', filename: "John's report.pdf", expiry: undefined, singleUse: false }],
    ["John's report.pdf 3d", { kind: 'upload', filename: "John's report.pdf", expiry: '3d', singleUse: false }],
    // Unquoted words are joined by single spaces, whatever the whitespace between them.
    [
      'Q3   figures\tfinal.xlsx  1w',
      { kind: 'upload', filename: 'Q3 figures final.xlsx', expiry: '1w', singleUse: false },
    ],
    // Expiry-shaped but invalid expiries are still expiries, so they can be refused rather than become names.
    ['report.pdf 10y', { kind: 'upload', filename: 'report.pdf', expiry: '10y', singleUse: false }],
    ['report.pdf 0m', { kind: 'upload', filename: 'report.pdf', expiry: '0m', singleUse: false }],
    ['report.pdf 1.5h', { kind: 'upload', filename: 'report.pdf', expiry: '1.5h', singleUse: false }],
    // Quoted expiry-like text is a file name.
    ['"2h"', { kind: 'upload', filename: '2h', expiry: undefined, singleUse: false }],
    ['"2h" 3d', { kind: 'upload', filename: '2h', expiry: '3d', singleUse: false }],
    ['report.pdf "2h"', { kind: 'upload', filename: 'report.pdf 2h', expiry: undefined, singleUse: false }],
    // The expiry goes last: one before the name is pointed out, not taken into the name.
    ['2h report.pdf', { kind: 'leftover', filename: '', expiry: '2h', leftover: 'report.pdf' }],
    // "help" with more words is a file name.
    ['help 2h', { kind: 'upload', filename: 'help', expiry: '2h', singleUse: false }],
    ['help me.txt', { kind: 'upload', filename: 'help me.txt', expiry: undefined, singleUse: false }],
    ['"help"', { kind: 'upload', filename: 'help', expiry: undefined, singleUse: false }],
  ] as const)('%j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each(['', '   ', 'help', 'HELP', 'Help', '--help', '-h', '?', '  help  '])('%j is help', (text) => {
    expect(parse(text)).toEqual({ kind: 'help' });
  });

  it.each(['2h', '45m', '10y', '  1w  '])('a lone expiry %j is a missing file name', (text) => {
    expect(parse(text)).toEqual({ kind: 'missing-filename', expiry: text.trim() });
  });

  describe('Slack-escaped text, as Slack sends it with should_escape: true', () => {
    it.each([
      // .md, .zip and .io are top-level domains: Slack linkifies such names and keeps what was typed as the label.
      ['<http://notes.md|notes.md>', 'notes.md', undefined],
      ['<http://notes.md|notes.md> 45m', 'notes.md', '45m'],
      ['<http://archive.zip|archive.zip> 2d', 'archive.zip', '2d'],
      ['<http://my.io|my.io>', 'my.io', undefined],
      ['<mailto:a@b.com|a@b.com>', 'a@b.com', undefined],
      ['<mailto:a@b.com|a@b.com>.txt 1h', 'a@b.com.txt', '1h'],
      ['R&amp;D plan.pdf', 'R&D plan.pdf', undefined],
      ['&lt;draft&gt;.txt 2h', '<draft>.txt', '2h'],
      // A link in the middle of a word: the typed text is put back together.
      ['draft-<http://notes.md|notes.md>', 'draft-notes.md', undefined],
      ['final_<http://notes.md|notes.md>_v2.txt', 'final_notes.md_v2.txt', undefined],
      ['“<http://notes.md|notes.md> copy” 1d', 'notes.md copy', '1d'],
      ['"My <http://notes.md|notes.md>"', 'My notes.md', undefined],
    ])('%j → %j', (text, filename, expiry) => {
      expect(parse(text)).toEqual({ kind: 'upload', filename, expiry, singleUse: false });
    });

    it('a link-shaped last token is never taken for an expiry', () => {
      // Slack could linkify "2h" only as a label; a label-only piece is not plain text, so it stays part of the name.
      expect(parse('report <http://2h|2h>')).toEqual({
        kind: 'upload',
        filename: 'report 2h',
        expiry: undefined,
        singleUse: false,
      });
    });

    it.each([
      ['<@U123|alice>.pdf', 'mention', '@alice.pdf'],
      ['<@U123|alice> notes.txt', 'mention', '@alice'],
      ['<@U123>.pdf', 'mention', '@U123.pdf'],
      ['<#C123|general>.csv 2h', 'channel', '#general.csv'],
      ['<#C123>.csv', 'channel', '#C123.csv'],
      ['<!subteam^S123|@team>.pdf', 'usergroup', '@team.pdf'],
      ['<!here>.txt', 'special', '@here.txt'],
      ['<!channel> notes.txt', 'special', '@channel'],
      ['<!here>', 'special', '@here'],
      ['report.pdf prefix=x/', 'setting', 'prefix=x/'],
    ])('%j holds a %s, which is never part of a file name', (text, what, typed) => {
      expect(parse(text)).toEqual({ kind: 'not-a-name', what, typed });
    });
  });
});

describe('expiry typed as two words', () => {
  it.each([
    ['report.pdf 2 weeks', 'report.pdf', '2 weeks'],
    ['report.pdf 3 days', 'report.pdf', '3 days'],
    ['"Q3 figures.xlsx" 45 min', 'Q3 figures.xlsx', '45 min'],
    ['Chapter 2 x.pdf', 'Chapter 2 x.pdf', undefined],
    ['file 2 x', 'file 2 x', undefined],
  ])('%j → file %j, expiry %j', (text, filename, expiry) => {
    expect(parseUploadCommand(tokenize(text))).toEqual({ kind: 'upload', filename, expiry, singleUse: false });
  });

  it('a lone two-word expiry asks for the file name', () => {
    expect(parseUploadCommand(tokenize('2 weeks'))).toEqual({ kind: 'missing-filename', expiry: '2 weeks' });
  });
});

describe('slips are never file names (issue 11)', () => {
  it.each([
    ['alow <@U0SAM|sam>', 'allow'],
    ['dissallow <@U0SAM|sam> <#C0ACME|acme>', 'disallow'],
    ['setings prefix=x/', 'settings'],
    ['revok abc', 'revoke'],
    ['admin add <@U0ALICE|alice>', 'admins'],
    ['ADMIN add <@U0ALICE|alice>', 'admins'],
    ['aduit', 'audit'],
    ['lnks', 'links'],
    ['hlep', 'help'],
  ])('%j → did you mean %s', (text, command) => {
    expect(parse(text)).toMatchObject({ kind: 'did-you-mean', command });
  });

  it.each(['audio notes.pdf', 'alow.pdf', 'access.log 2h', '"alow"'])(
    '%j is still a file name (an extension, or quotes)',
    (text) => {
      expect(parse(text).kind).toBe('upload');
    },
  );

  it.each([
    ['report.pdf 2h extra', { kind: 'leftover', filename: 'report.pdf', expiry: '2h', leftover: 'extra' }],
    ['report.pdf 2 hours extra', { kind: 'leftover', filename: 'report.pdf', expiry: '2 hours', leftover: 'extra' }],
    ['Q3 2h final.xlsx', { kind: 'leftover', filename: 'Q3', expiry: '2h', leftover: 'final.xlsx' }],
  ])('%j says what is left over', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('a negative expiry is an expiry, to be refused as one', () => {
    expect(parse('report.pdf -1h')).toEqual({
      kind: 'upload',
      filename: 'report.pdf',
      expiry: '-1h',
      singleUse: false,
    });
  });

  it.each([
    ['"it\'s \\"quoted\\".pdf"', 'it\'s "quoted".pdf'],
    ['"the "final" version.pdf"', 'the "final" version.pdf'],
    ['“the “final” version.pdf”', 'the “final” version.pdf'],
    ['“Q3 figures.xlsx" 2h', 'Q3 figures.xlsx'],
    ['‘Q3 figures.xlsx’ 2h', 'Q3 figures.xlsx'],
    ['"C:\\Users\\me\\report.pdf"', 'C:\\Users\\me\\report.pdf'],
  ])('quotes: %j → %j', (text, filename) => {
    expect(parse(text)).toMatchObject({ kind: 'upload', filename });
  });

  it.each([
    ['"unterminated.pdf', 'unterminated.pdf'],
    ['“unterminated.pdf 2h', 'unterminated.pdf'],
  ])('an unclosed quote is named as such: %j', (text, typed) => {
    expect(parse(text)).toEqual({ kind: 'unclosed-quote', typed });
  });

  it.each(['frobnicate', 'README', 'final_v2'])('one bare word %j is asked about, not made into a link', (text) => {
    expect(parse(text)).toEqual({ kind: 'bare-word', word: text });
  });

  it('`once` works before or after the expiry', () => {
    expect(parse('report.pdf once 2d')).toEqual({
      kind: 'upload',
      filename: 'report.pdf',
      expiry: '2d',
      singleUse: true,
    });
    expect(parse('report.pdf 2d once')).toEqual({
      kind: 'upload',
      filename: 'report.pdf',
      expiry: '2d',
      singleUse: true,
    });
  });
});
