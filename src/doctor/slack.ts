/** 2. The Slack token (auth.test): which workspace and bot user it belongs to. */
import { ErrorCode } from '@slack/web-api';
import type { Config } from '../config.js';
import { createLogger } from '../lib/log.js';
import { slackClient } from '../slack/client.js';
import { check, message, safeUrl } from './shared.js';
import type { CheckResult } from './types.js';

/** WebClient logs its own failures; doctor reports them itself. */
const quietLogger = createLogger({ level: 'error', write: () => {} });

export async function checkSlack(config: Config, timeoutMs: number): Promise<CheckResult> {
  const apiUrl = config.slack.apiUrl ?? 'https://slack.com/api/';
  const client = slackClient(config, {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logger: quietLogger,
  });
  try {
    const result = await client.auth.test();
    if (result.bot_id === undefined || result.user_id === undefined) {
      return check('slack', 'fail', 'Slack accepted SLACK_BOT_TOKEN, but it is not a bot token (no bot user)', [
        "Use the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page.",
      ]);
    }
    const team = result.team ? `${result.team} (${result.team_id})` : String(result.team_id);
    const user = result.user ? `@${result.user} (${result.user_id})` : result.user_id;
    return check('slack', 'pass', `Slack token works: workspace ${team}, bot user ${user}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === ErrorCode.PlatformError) {
      const reason = (error as { data?: { error?: string } }).data?.error ?? 'refused';
      return check('slack', 'fail', `Slack rejected SLACK_BOT_TOKEN (${reason})`, [
        "Copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page again, and check that the app is still installed in the workspace.",
      ]);
    }
    if (code === ErrorCode.HTTPError) {
      const status = (error as { statusCode?: number }).statusCode;
      return check('slack', 'fail', `Slack's Web API at ${safeUrl(apiUrl)} answered HTTP ${status ?? '?'}`, [
        config.slack.apiUrl === undefined
          ? 'Slack may be having trouble (https://slack-status.com); try again in a few minutes.'
          : 'Check SLACK_API_URL: it must be the base of a Slack Web API, ending in /api/.',
      ]);
    }
    if (code === ErrorCode.RateLimitedError) {
      return check('slack', 'fail', 'Slack is rate limiting auth.test calls with this token right now', [
        'Try again in a minute.',
      ]);
    }
    return check('slack', 'fail', `Could not reach Slack's Web API at ${safeUrl(apiUrl)} (${message(error)})`, [
      config.slack.apiUrl === undefined
        ? 'Check the network (a proxy or firewall between here and slack.com).'
        : 'Check the network, and SLACK_API_URL.',
    ]);
  }
}
