/**
 * The shapes of Slack ids, defined once: https://docs.slack.dev/reference/objects ("IDs are… uppercase letters
 * and digits"; users U or W, user groups S, conversations C, G or D).
 */
export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
export const GROUP_ID = /^S[A-Z0-9]{2,}$/;
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
/** Any Slack id: what a button value or a picker gives back, before we know which kind it is. */
export const SLACK_ID = /^[A-Z0-9]{2,}$/;
