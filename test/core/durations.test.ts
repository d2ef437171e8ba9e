import { describe, expect, it } from 'vitest';
import {
  checkExpiry,
  describeRange,
  formatDuration,
  looksLikeDuration,
  MIN_EXPIRY_SECONDS,
  parseDuration,
  SIGV4_MAX_SECONDS,
} from '../../src/core/durations.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const WEEK = 604_800;

describe('parseDuration', () => {
  it.each([
    ['45m', 45 * MINUTE],
    ['2h', 2 * HOUR],
    ['3d', 3 * DAY],
    ['1w', WEEK],
    ['1m', MINUTE],
    ['0m', 0],
    ['90m', 90 * MINUTE],
    ['2H', 2 * HOUR],
    ['  2h  ', 2 * HOUR],
    ['2 h', 2 * HOUR],
    ['10min', 10 * MINUTE],
    ['10 minutes', 10 * MINUTE],
    ['1minute', MINUTE],
    ['5mins', 5 * MINUTE],
    ['3hr', 3 * HOUR],
    ['3hrs', 3 * HOUR],
    ['1hour', HOUR],
    ['2Hours', 2 * HOUR],
    ['1day', DAY],
    ['2days', 2 * DAY],
    ['1wk', WEEK],
    ['2wks', 2 * WEEK],
    ['1week', WEEK],
    ['2weeks', 2 * WEEK],
  ])('%j is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([
    '',
    '   ',
    '10y',
    '30s',
    '1.5h',
    '1,5h',
    'h',
    '2',
    '-2h',
    '+2h',
    '2h30m',
    'two hours',
    'report.pdf',
    '1234567890m', // more than 9 digits
    '1constructor', // Object.prototype keys are not units
    '1tostring',
    '1hasownproperty',
  ])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('always returns a finite whole number of seconds', () => {
    for (const text of ['999999999w', '1m', '1constructor', '1valueof']) {
      const seconds = parseDuration(text);
      if (seconds !== undefined) expect(Number.isSafeInteger(seconds)).toBe(true);
    }
    expect(parseDuration('999999999w')).toBe(999_999_999 * WEEK);
  });
});

describe('looksLikeDuration', () => {
  it.each([
    ['2h', true],
    ['10y', true],
    ['30s', true],
    ['0m', true],
    ['1.5h', true],
    ['1,5h', true],
    ['12345678901m', true],
    ['2 weeks', true],
    ['report.pdf', false],
    ['2024.pdf', false],
    ['h2', false],
    ['2', false],
    ['', false],
    ['-2h', false],
    ['2h.txt', false],
    ['2h30m', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeDuration(text)).toBe(expected);
  });
});

describe('checkExpiry', () => {
  const bounds = { minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: SIGV4_MAX_SECONDS };

  it.each([
    ['45m', 45 * MINUTE],
    ['2h', 2 * HOUR],
    ['3d', 3 * DAY],
    ['1w', WEEK],
    ['7d', WEEK],
    ['1m', MINUTE], // exactly the minimum
    ['10080m', WEEK], // exactly the maximum
    ['168h', WEEK],
  ])('%j is accepted as %i seconds', (text, seconds) => {
    expect(checkExpiry(text, bounds)).toEqual({ ok: true, seconds });
  });

  it.each([
    ['0m', 'too-short'],
    ['10081m', 'too-long'], // one minute over
    ['169h', 'too-long'],
    ['8d', 'too-long'],
    ['2w', 'too-long'],
  ])('%j is out of range: %s', (text, reason) => {
    expect(checkExpiry(text, bounds)).toEqual({ ok: false, reason });
  });

  it.each(['10y', '1.5h', '', 'soon', '30s', '1constructor'])('%j is unparsable', (text) => {
    expect(checkExpiry(text, bounds)).toEqual({ ok: false, reason: 'unparsable' });
  });

  it('uses the given maximum, not the SigV4 ceiling', () => {
    const tight = { minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: 2 * HOUR };
    expect(checkExpiry('2h', tight)).toEqual({ ok: true, seconds: 2 * HOUR });
    expect(checkExpiry('121m', tight)).toEqual({ ok: false, reason: 'too-long' });
    expect(checkExpiry('1d', tight)).toEqual({ ok: false, reason: 'too-long' });
  });

  it('uses the given minimum', () => {
    const fiveMinutes = { minSeconds: 5 * MINUTE, maxSeconds: DAY };
    expect(checkExpiry('4m', fiveMinutes)).toEqual({ ok: false, reason: 'too-short' });
    expect(checkExpiry('5m', fiveMinutes)).toEqual({ ok: true, seconds: 5 * MINUTE });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 seconds'],
    [1, '1 second'],
    [59, '59 seconds'],
    [MINUTE, '1 minute'],
    [45 * MINUTE, '45 minutes'],
    [90, '1 minute'], // whole minutes only
    [HOUR, '1 hour'],
    [90 * MINUTE, '90 minutes'],
    [2 * HOUR, '2 hours'],
    [25 * HOUR, '25 hours'],
    [DAY, '1 day'],
    [3 * DAY, '3 days'],
    [WEEK, '1 week'],
    [2 * WEEK, '2 weeks'],
    [8 * DAY, '8 days'],
  ])('%i seconds → %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('describeRange', () => {
  it('names both ends in words', () => {
    expect(describeRange({ minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: SIGV4_MAX_SECONDS })).toBe('1 minute to 1 week');
    expect(describeRange({ minSeconds: MINUTE, maxSeconds: 3 * DAY })).toBe('1 minute to 3 days');
    expect(describeRange({ minSeconds: MINUTE, maxSeconds: 36 * HOUR })).toBe('1 minute to 36 hours');
  });

  it('the constants match SigV4 and the issue', () => {
    expect(SIGV4_MAX_SECONDS).toBe(604_800);
    expect(MIN_EXPIRY_SECONDS).toBe(60);
  });
});
