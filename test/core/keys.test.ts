import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildObjectKey,
  byteLength,
  channelPrefix,
  fitFilename,
  MAX_KEY_BYTES,
  MAX_PREFIX_BYTES,
  newObjectId,
  prefixProblems,
  safeFilename,
  truncateToBytes,
} from '../../src/core/keys.js';

const ID = '0b6e1f1e-6a7c-4c8e-9d61-3f1e2a4b5c6d';
const DATE = new Date('2024-03-05T12:00:00Z');

// biome-ignore lint/suspicious/noControlCharactersInRegex: checking for control characters is the point
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/** True when `text` has no lone surrogates: it survives a UTF-8 round trip unchanged. */
const isWellFormed = (text: string): boolean => new TextDecoder().decode(new TextEncoder().encode(text)) === text;

const graphemes = (text: string): string[] =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);

describe('safeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['Q3 figures.xlsx', 'Q3 figures.xlsx'],
    ['Report FINAL.PDF', 'Report FINAL.PDF'],
    ['archive.tar.gz', 'archive.tar.gz'],
    ['.env', '.env'],
    ['a..b.txt', 'a..b.txt'],
    ['Übersicht 報告 🚀.xlsx', 'Übersicht 報告 🚀.xlsx'],
    // Path parts, either separator.
    ['../../etc/passwd', 'passwd'],
    ['folder/sub/report.pdf', 'report.pdf'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['..\\..\\secret.txt', 'secret.txt'],
    ['/absolute.txt', 'absolute.txt'],
    ['a/..', 'nothing-left'],
    // Control characters are removed; whitespace controls become spaces.
    ['rep\u0000ort.pdf', 'report.pdf'],
    ['rep\u007fort\u0085.pdf', 'report .pdf'],
    ['line\nbreak.txt', 'line break.txt'],
    ['tab\there.txt', 'tab here.txt'],
    ['a\r\n\tb.txt', 'a b.txt'],
    // Bidi controls that disguise an extension.
    ['invoice\u202efdp.exe', 'invoicefdp.exe'],
    ['x\u2066y\u2069\u200e\u200f\u061c\ufeff.txt', 'xy.txt'],
    // NFC: a decomposed é is composed.
    ['cafe\u0301.txt', 'caf\u00e9.txt'],
    ['e\u202e\u0301.txt', '\u00e9.txt'], // composed even when a removed control sat between letter and accent
    // Spaces collapse, ends are trimmed, trailing dots and spaces dropped.
    ['  report   final.pdf  ', 'report final.pdf'],
    ['report.pdf...', 'report.pdf'],
    ['report.pdf . . ', 'report.pdf'],
    ['notes.', 'notes'],
  ])('%j → %j', (typed, name) => {
    const result = safeFilename(typed);
    if (name === 'nothing-left') expect(result).toEqual({ ok: false, reason: 'nothing-left' });
    else expect(result).toEqual({ ok: true, name });
  });

  it.each(['', ' ', '   ', '\t\n'])('%j is empty', (typed) => {
    expect(safeFilename(typed)).toEqual({ ok: false, reason: 'empty' });
  });

  it.each(['..', '.', '...', '../..', '../../', 'folder/', '\\', '\u0000', '\u202e', '. . .', 'a/. .'])(
    '%j leaves nothing',
    (typed) => {
      expect(safeFilename(typed)).toEqual({ ok: false, reason: 'nothing-left' });
    },
  );

  it('drops lone surrogates, keeping paired ones', () => {
    expect(safeFilename('a\ud800b\udc00c.txt')).toEqual({ ok: true, name: 'abc.txt' });
    expect(safeFilename('😀.txt')).toEqual({ ok: true, name: '😀.txt' });
  });
});

describe('truncateToBytes', () => {
  it('returns text that already fits unchanged', () => {
    expect(truncateToBytes('report.pdf', 10)).toBe('report.pdf');
    expect(truncateToBytes('', 0)).toBe('');
  });

  it('cuts ASCII at the byte limit', () => {
    expect(truncateToBytes('abcdef', 3)).toBe('abc');
  });

  it('never splits a multi-byte character', () => {
    expect(truncateToBytes('ééé', 5)).toBe('éé'); // 2 bytes each
    expect(truncateToBytes('報告書', 7)).toBe('報告'); // 3 bytes each
    expect(truncateToBytes('a😀', 4)).toBe('a');
  });

  it('never splits an emoji ZWJ sequence, a flag, a skin tone or a combining accent', () => {
    const family = '👨‍👩‍👧‍👦'; // 25 bytes
    expect(byteLength(family)).toBe(25);
    expect(truncateToBytes(`ab${family}`, 26)).toBe('ab');
    expect(truncateToBytes(`ab${family}`, 27)).toBe(`ab${family}`);
    expect(truncateToBytes('x🇫🇷', 5)).toBe('x');
    expect(truncateToBytes('x👍🏽', 8)).toBe('x');
    expect(truncateToBytes('xe\u0301', 2)).toBe('x');
  });

  it('stays within the limit and is a prefix made of whole graphemes', () => {
    const text = 'Q3 Zahlen — Übersicht 報告 👨‍👩‍👧‍👦🇫🇷👍🏽e\u0301.xlsx';
    const all = graphemes(text);
    for (let max = 0; max <= byteLength(text); max++) {
      const out = truncateToBytes(text, max);
      expect(byteLength(out)).toBeLessThanOrEqual(max);
      expect(text.startsWith(out)).toBe(true);
      const kept = graphemes(out);
      expect(kept).toEqual(all.slice(0, kept.length));
    }
  });
});

describe('fitFilename', () => {
  it('returns a name that fits unchanged', () => {
    expect(fitFilename('report.pdf', 10)).toBe('report.pdf');
  });

  it('keeps the extension and shortens the stem', () => {
    const name = `${'a'.repeat(100)}.pdf`;
    const fitted = fitFilename(name, 20);
    expect(fitted).toBe(`${'a'.repeat(16)}.pdf`);
    expect(byteLength(fitted)).toBe(20);
  });

  it('keeps the last extension of a double extension', () => {
    expect(fitFilename(`${'b'.repeat(50)}.tar.gz`, 20)).toBe(`${'b'.repeat(17)}.gz`);
  });

  it('does not leave a trailing space before the extension', () => {
    expect(fitFilename('report final version.pdf', 17)).toBe('report final.pdf');
  });

  it('shortens multi-byte stems on grapheme boundaries', () => {
    const fitted = fitFilename(`${'報'.repeat(50)}.pdf`, 20);
    expect(fitted).toBe(`${'報'.repeat(5)}.pdf`);
  });

  it('cuts the whole name when the extension is too long to keep', () => {
    const name = `report.${'x'.repeat(40)}`;
    expect(fitFilename(name, 20)).toBe(name.slice(0, 20));
  });

  it('cuts the whole name when there is no extension or only a leading dot', () => {
    expect(fitFilename('a'.repeat(50), 10)).toBe('a'.repeat(10));
    expect(fitFilename(`.${'e'.repeat(50)}`, 10)).toBe(`.${'e'.repeat(9)}`);
  });

  it('never returns an empty name for a single grapheme longer than the room', () => {
    const zalgo = `z${'\u0301'.repeat(600)}`; // one grapheme, 1201 bytes
    const chain = Array(80).fill('👨‍👩‍👧‍👦').join('\u200d'); // one grapheme, ~2240 bytes
    for (const name of [zalgo, `${zalgo}.pdf`, chain, `${chain}.pdf`]) {
      const fitted = fitFilename(name, 400);
      expect(fitted).not.toBe('');
      expect(byteLength(fitted)).toBeLessThanOrEqual(400);
      expect(isWellFormed(fitted)).toBe(true);
      if (name.endsWith('.pdf')) expect(fitted.endsWith('.pdf')).toBe(true);
    }
  });
});

describe('buildObjectKey', () => {
  it('is <prefix><YYYY-MM-DD>/<id>/<name>', () => {
    const key = buildObjectKey({ prefix: 'uploads/C0ACME/', date: DATE, id: ID, filename: 'report.pdf' });
    expect(key).toBe(`uploads/C0ACME/2024-03-05/${ID}/report.pdf`);
  });

  it('uses the UTC date, not the local one', () => {
    // 23:30 in New York on 4 March is already 5 March in UTC.
    const late = new Date('2024-03-04T23:30:00-05:00');
    expect(buildObjectKey({ prefix: 'p/', date: late, id: ID, filename: 'a.txt' })).toBe(`p/2024-03-05/${ID}/a.txt`);
    const early = new Date('2024-03-05T00:30:00+02:00');
    expect(buildObjectKey({ prefix: 'p/', date: early, id: ID, filename: 'a.txt' })).toBe(`p/2024-03-04/${ID}/a.txt`);
  });

  it('keeps spaces and Unicode in the name as typed', () => {
    const key = buildObjectKey({ prefix: 'uploads/C1/', date: DATE, id: ID, filename: 'Q3 Übersicht 🚀.xlsx' });
    expect(key.endsWith('/Q3 Übersicht 🚀.xlsx')).toBe(true);
  });

  it('caps the key at 1024 bytes, keeping the extension', () => {
    const prefix = `${'p'.repeat(500)}/C0ACME/`;
    const key = buildObjectKey({ prefix, date: DATE, id: ID, filename: `${'名'.repeat(400)}.pdf` });
    expect(byteLength(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(byteLength(key)).toBeGreaterThan(MAX_KEY_BYTES - 3); // filled up to a whole character
    expect(key.startsWith(`${prefix}2024-03-05/${ID}/名`)).toBe(true);
    expect(key.endsWith('名.pdf')).toBe(true);
  });

  it('channelPrefix puts the channel id under the upload prefix', () => {
    expect(channelPrefix('uploads/', 'C0ACME')).toBe('uploads/C0ACME/');
    expect(channelPrefix('team/files/', 'G123')).toBe('team/files/G123/');
  });

  it('newObjectId gives distinct UUIDs', () => {
    const ids = new Set(Array.from({ length: 100 }, newObjectId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('prefixProblems', () => {
  it.each(['uploads/', 'a/b/c/', 'team files/', 'ünï/', `${'x'.repeat(MAX_PREFIX_BYTES - 1)}/`])('%j is fine', (p) => {
    expect(prefixProblems(p)).toEqual([]);
  });

  it.each([
    ['/uploads/', ['must not start with "/"']],
    ['uploads', ['must end with "/"']],
    ['', ['must end with "/"']],
    ['uploads/../', ['must not contain "." or ".." parts']],
    ['../', ['must not contain "." or ".." parts']],
    ['./uploads/', ['must not contain "." or ".." parts']],
    ['uploads//x/', ['must not contain "//"']],
    ['up\u0000loads/', ['must not contain control characters']],
    ['up\nloads/', ['must not contain control characters']],
    ['up\u202eloads/', ['must not contain control characters']],
    [`${'x'.repeat(MAX_PREFIX_BYTES)}/`, [`must be at most ${MAX_PREFIX_BYTES} bytes`]],
    ['/../x', ['must not start with "/"', 'must end with "/"', 'must not contain "." or ".." parts']],
  ])('%j → %j', (prefix, problems) => {
    expect(prefixProblems(prefix)).toEqual(problems);
  });

  it('lists every problem at once', () => {
    expect(prefixProblems('//x/../\u0000')).toEqual([
      'must not start with "/"',
      'must end with "/"',
      'must not contain "." or ".." parts',
      'must not contain "//"',
      'must not contain control characters',
    ]);
  });
});

describe('property: whatever is typed, the key stays in its channel prefix and within S3 limits', () => {
  const NASTY = [
    '../',
    '..',
    '.',
    '/',
    '\\',
    '..\\',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u0085',
    '\u202e',
    '\u2066',
    '\ufeff',
    '\n',
    '\t',
    ' ',
    '%2e%2e%2f',
    '😀',
    '👨‍👩‍👧‍👦',
    '\u200d',
    '🇫🇷',
    'e\u0301',
    '\u0301',
    '\ud83d', // lone high surrogate
    '\ude00', // lone low surrogate
    '名',
    'a',
    '.pdf',
    '.tar.gz',
  ];
  const nastyString = fc.array(fc.constantFrom(...NASTY), { maxLength: 40 }).map((parts) => parts.join(''));
  const veryLong = fc
    .tuple(
      fc.constantFrom('a', '名', '😀', '👨‍👩‍👧‍👦', 'e\u0301', ' ', '.'),
      fc.integer({ min: 100, max: 1200 }),
      fc.string(),
    )
    .map(([piece, count, tail]) => piece.repeat(count) + tail);
  const typed = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'binary-ascii', maxLength: 80 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
    nastyString,
    veryLong,
  );
  const prefixes = fc.oneof(
    fc.constant('uploads/C0ACME/'),
    fc.constant(`${'p'.repeat(MAX_PREFIX_BYTES - 1)}/C0ACME/`), // the longest UPLOAD_PREFIX config allows
    fc.constant(`${'名'.repeat(166)}/C0ACME/`), // ~500 bytes of multi-byte prefix
  );

  it('holds for any typed name', () => {
    fc.assert(
      fc.property(typed, prefixes, fc.date({ noInvalidDate: true }), (text, prefix, date) => {
        const safe = safeFilename(text);
        if (!safe.ok) return;
        expect(safe.name).not.toBe('');
        const key = buildObjectKey({ prefix, date, id: ID, filename: safe.name });
        expect(key.startsWith(prefix)).toBe(true);
        expect(byteLength(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
        expect(isWellFormed(key)).toBe(true);
        expect(key).not.toMatch(CONTROL_OR_BIDI);
        const rest = key.slice(prefix.length).split('/');
        expect(rest).toHaveLength(3);
        const [day, id, name] = rest as [string, string, string];
        expect(day).toBe(date.toISOString().slice(0, 10));
        expect(id).toBe(ID);
        expect(name).not.toBe('');
        expect(name).not.toContain('\\');
        expect(name.normalize('NFC')).toBe(name);
        expect(key.split('/').some((part) => part === '..' || part === '.')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the name whole when the key has room, and keeps the extension when it is cut', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 600 }),
        fc.constantFrom('.pdf', '.xlsx', '.tar.gz'),
        (stem, extension) => {
          const safe = safeFilename(`${stem}${extension}`);
          if (!safe.ok) return;
          const prefix = `${'p'.repeat(480)}/C0ACME/`;
          const key = buildObjectKey({ prefix, date: DATE, id: ID, filename: safe.name });
          const name = key.split('/').at(-1) as string;
          if (byteLength(`${prefix}2024-03-05/${ID}/${safe.name}`) <= MAX_KEY_BYTES) expect(name).toBe(safe.name);
          else expect(name.endsWith(extension.slice(extension.lastIndexOf('.')))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
