import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { PRESENCE_CACHE_SECONDS, slackChannelPresence } from '../../src/slack/presence.js';

/** A WebClient with only conversations.info, answering from `answer` and counting the calls per channel. */
function fakeClient(answer: (channel: string) => Promise<unknown>) {
  const calls: string[] = [];
  const client = {
    conversations: {
      info: ({ channel }: { channel: string }) => {
        calls.push(channel);
        return answer(channel);
      },
    },
  } as unknown as WebClient;
  return { client, calls };
}

const slackError = (code: string) =>
  Object.assign(new Error(code), { code: 'slack_webapi_platform_error', data: { error: code } });

describe('channel presence', () => {
  it('asks Slack once per channel for 30 seconds, then again', async () => {
    let clock = 1_000_000;
    const { client, calls } = fakeClient(async (channel) => ({
      ok: true,
      channel: { id: channel, is_member: channel === 'C0IN' },
    }));
    const presence = slackChannelPresence(client, () => clock);
    expect(await presence.isMember('C0IN')).toBe(true);
    expect(await presence.isMember('C0OUT')).toBe(false);
    expect(await Promise.all([presence.isMember('C0IN'), presence.isMember('C0IN')])).toEqual([true, true]);
    expect(calls).toEqual(['C0IN', 'C0OUT']);
    clock += PRESENCE_CACHE_SECONDS * 1000 + 1;
    expect(await presence.isMember('C0IN')).toBe(true);
    expect(calls).toEqual(['C0IN', 'C0OUT', 'C0IN']);
  });

  it('concurrent commands in one channel share one call', async () => {
    let release: (value: unknown) => void = () => {};
    const { client, calls } = fakeClient(() => new Promise((done) => (release = done)));
    const presence = slackChannelPresence(client, () => 0);
    const both = Promise.all([presence.isMember('C0IN'), presence.isMember('C0IN')]);
    release({ ok: true, channel: { id: 'C0IN', is_member: true } });
    expect(await both).toEqual([true, true]);
    expect(calls).toEqual(['C0IN']);
  });

  it('remembers channel_not_found as not a member, and never remembers "unknown"', async () => {
    let down = true;
    const { client, calls } = fakeClient(async (channel) => {
      if (channel === 'G0PRIVATE') throw slackError('channel_not_found');
      if (down) throw slackError('fatal_error');
      return { ok: true, channel: { id: channel, is_member: true } };
    });
    const presence = slackChannelPresence(client, () => 0);
    expect(await presence.isMember('G0PRIVATE')).toBe(false);
    expect(await presence.isMember('G0PRIVATE')).toBe(false);
    expect(await presence.isMember('C0IN')).toBeUndefined();
    down = false;
    expect(await presence.isMember('C0IN')).toBe(true);
    expect(calls).toEqual(['G0PRIVATE', 'C0IN', 'C0IN']);
  });
});
