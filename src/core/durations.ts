/**
 * Durations as users type them: a whole number and one unit, `m`, `h`, `d` or `w` (`45m`, `2h`, `3d`, `1w`).
 *
 * Hand-written on purpose: the grammar is four units, and a general parser (`ms`, ISO-8601) would accept forms we
 * must refuse anyway (seconds, years, fractions), so it would add a dependency and a second check.
 */

const UNIT_SECONDS = { m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
type Unit = keyof typeof UNIT_SECONDS;

const UNIT_NAMES: Record<Unit, string> = { m: 'minute', h: 'hour', d: 'day', w: 'week' };

/** Long spellings people type out of habit; each maps to one of the four units. */
const UNIT_ALIASES: Record<string, Unit> = {
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  wk: 'w',
  wks: 'w',
  week: 'w',
  weeks: 'w',
};

/** The SigV4 ceiling for a query-signed URL: 7 days. */
export const SIGV4_MAX_SECONDS = 604_800;

/** The forms we accept: a whole number (at most 9 digits) and letters. */
const DURATION_SHAPE = /^(\d{1,9})\s*([a-z]+)$/i;
/**
 * Anything shaped like "<number><letters>": a duration attempt, valid or not. Wider than what we accept, so that
 * `report.pdf 1.5h` is answered "1.5h isn't an expiry" instead of becoming a file named "report.pdf 1.5h".
 */
const DURATION_ATTEMPT = /^\d+(?:[.,]\d+)?\s*[a-z]+$/i;

export function looksLikeDuration(text: string): boolean {
  return DURATION_ATTEMPT.test(text.trim());
}

/** Seconds for a duration such as `2h`, or `undefined` when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_SHAPE.exec(text.trim());
  if (!match) return undefined;
  const alias = (match[2] ?? '').toLowerCase();
  // Own keys only: `1constructor` must not find Object.prototype.constructor and come out as NaN seconds.
  if (!Object.hasOwn(UNIT_ALIASES, alias)) return undefined;
  return Number(match[1]) * UNIT_SECONDS[UNIT_ALIASES[alias] as Unit];
}

/** `90` → "1 minute 30 seconds" is never needed: we only format whole minutes and up, largest unit that divides. */
export function formatDuration(seconds: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit];
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${UNIT_NAMES[unit]}${count === 1 ? '' : 's'}`;
    }
  }
  if (seconds >= 60) {
    const minutes = Math.floor(seconds / 60);
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** "in about 23 hours" reads better than "in about 86340 seconds" when a second has passed: whole largest units. */
export function roundDown(seconds: number): number {
  for (const size of [604_800, 86_400, 3600, 60]) {
    if (seconds >= size) return Math.floor(seconds / size) * size;
  }
  return seconds;
}

/** "7 days", "1 hour 30 minutes", "4 minutes": how far off a time is, in up to two units. */
export function formatRoughly(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))} seconds`;
  const minutes = Math.floor(seconds / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    days > 0 ? `${days} day${days === 1 ? '' : 's'}` : '',
    hours > 0 ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    days === 0 && rest > 0 ? `${rest} minute${rest === 1 ? '' : 's'}` : '',
  ];
  return parts.filter((p) => p !== '').join(' ');
}

/** The bounds every expiry is checked against: at least a minute, at most `max`, never past the SigV4 ceiling. */
export interface ExpiryBounds {
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

export const MIN_EXPIRY_SECONDS = 60;

export function describeRange(bounds: ExpiryBounds): string {
  return `${formatDuration(bounds.minSeconds)} to ${formatDuration(bounds.maxSeconds)}`;
}

export type ExpiryProblem = 'unparsable' | 'too-short' | 'too-long';
export type ExpiryCheck = { ok: true; seconds: number } | { ok: false; reason: ExpiryProblem };

export function checkExpiry(text: string, bounds: ExpiryBounds): ExpiryCheck {
  const seconds = parseDuration(text);
  if (seconds === undefined) return { ok: false, reason: 'unparsable' };
  if (seconds < bounds.minSeconds) return { ok: false, reason: 'too-short' };
  if (seconds > bounds.maxSeconds) return { ok: false, reason: 'too-long' };
  return { ok: true, seconds };
}
