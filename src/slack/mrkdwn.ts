/**
 * Escaping for Slack mrkdwn: `&`, `<` and `>` are control characters everywhere in it, code spans included, so
 * anything a user typed (or a usage line with `<placeholders>`) is escaped before it goes into a message.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The reverse, for showing mrkdwn as plain text (the CLI). */
export const unescapeMrkdwn = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
