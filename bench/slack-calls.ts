/** The Slack Web API calls ours makes while it serves a command, answered by the bench's fake Slack API. */
import type { FakeSlackApi } from '../test/support/slack-api.js';

/** Whether the bot is in the channel (src/slack/presence.ts; it is, everywhere here) and arrival notices. */
export function answerCommandCalls(slack: FakeSlackApi): void {
  slack.handle('conversations.info', (args) => ({ ok: true, channel: { id: args.channel, is_member: true } }));
  slack.handle('chat.postMessage', () => ({ ok: true, ts: '1' }));
}
