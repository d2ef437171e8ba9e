/**
 * Slack identifiers used in the code and in manifest.yml, defined once. test/manifest.test.ts keeps the two in step.
 */
export const COMMAND = '/upload-link';

/** The bot scopes the code needs, and no more. */
export const BOT_SCOPES = ['commands', 'usergroups:read'] as const;
