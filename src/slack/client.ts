/** The one way a Slack Web API client is made: the bot token, and SLACK_API_URL when set (the tests' stand-in). */
import { type Logger, WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';

export function slackClientOptions(config: Pick<Config, 'slack'>): { slackApiUrl?: string } {
  return config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl };
}

export function slackClient(config: Pick<Config, 'slack'>, options: WebClientOptions & { logger?: Logger } = {}) {
  return new WebClient(config.slack.botToken, { ...slackClientOptions(config), ...options });
}

/** Calls made while a user waits for a reply: no retries, and a short timeout, within Slack's 3 seconds. */
export const IN_REQUEST_CALL_OPTIONS = { retryConfig: { retries: 0 }, timeout: 1500 } as const;
