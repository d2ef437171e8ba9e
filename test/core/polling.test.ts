/** The poller's schedule (core/polling.ts): 1 minute, doubling to 30, one last check 5 minutes after expiry. */
import { describe, expect, it } from 'vitest';
import type { PartnerLink } from '../../src/core/model.js';
import { firstCheck, nextCheck } from '../../src/core/polling.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const link = (urlMinutes: number): PartnerLink =>
  ({
    id: 'L',
    createdAt: new Date(T0),
    expiresAt: new Date(T0 + urlMinutes * 60_000),
    urlExpiresAt: new Date(T0 + urlMinutes * 60_000),
  }) as PartnerLink;

/** Every check time, in minutes after creation, when each check is made exactly when due. */
function schedule(urlMinutes: number): number[] {
  const l = link(urlMinutes);
  const times: number[] = [];
  let next: { at: Date; intervalSeconds: number } | undefined = firstCheck(l);
  let checks = 0;
  while (next !== undefined && times.length < 1000) {
    times.push((next.at.getTime() - T0) / 60_000);
    const target = { link: l, dueAt: next.at, intervalSeconds: next.intervalSeconds, checks: checks++ };
    next = nextCheck(target, next.at);
  }
  return times;
}

describe('poll schedule', () => {
  it.each([
    [1, [1, 3, 6]],
    [10, [1, 3, 7, 15]],
    [60, [1, 3, 7, 15, 31, 61, 65]],
  ])('a raw URL valid %i minutes is checked at %j minutes', (minutes, times) => {
    expect(schedule(minutes)).toEqual(times);
  });

  it('a 24-hour URL costs 53 checks, a 7-day one 341: 30 minutes apart once backed off', () => {
    expect(schedule(24 * 60)).toHaveLength(53);
    expect(schedule(7 * 24 * 60)).toHaveLength(341);
    const day = schedule(24 * 60);
    expect(day.slice(4, 7)).toEqual([31, 61, 91]);
  });

  it('a check made late moves the next one from when it was made, not from when it was due', () => {
    const l = link(600);
    const target = { link: l, dueAt: new Date(T0 + 60_000), intervalSeconds: 60, checks: 0 };
    expect(nextCheck(target, new Date(T0 + 10 * 60_000))?.at).toEqual(new Date(T0 + 12 * 60_000));
  });
});
