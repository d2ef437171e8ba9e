/**
 * Slack identifiers used in the code and in manifest.yml, defined once. test/manifest.test.ts keeps the two in step.
 */
export const COMMAND = '/upload-link';

/** The bot scopes the code needs, and no more. */
export const BOT_SCOPES = [
  'commands',
  'usergroups:read',
  'chat:write',
  'im:write',
  'channels:read',
  'groups:read',
] as const;

/**
 * App Home ids: the view builders put them on elements, the listeners match on them, the tests send them back.
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export const HOME_CALLBACK_ID = 'upload_link_home';

/** Buttons on the Home tab (`action_id`). */
export const HOME_ACTIONS = {
  addAdmin: 'home_add_admin',
  removeAdmin: 'home_remove_admin',
  removeEntry: 'home_remove_entry',
  editSettings: 'home_edit_settings',
  allow: 'home_allow',
} as const;

/** Pickers on the Home tab: each an input block (`block_id`) holding one element (`action_id`). */
export const HOME_INPUTS = {
  adminUsers: { blockId: 'home_admin_users', actionId: 'admin_users' },
  allowUsers: { blockId: 'home_allow_users', actionId: 'allow_users' },
  allowGroup: { blockId: 'home_allow_group', actionId: 'allow_group' },
  allowChannel: { blockId: 'home_allow_channel', actionId: 'allow_channel' },
  allowEverywhere: { blockId: 'home_allow_everywhere', actionId: 'allow_everywhere' },
} as const;

/** The value of the "Everywhere" checkbox option. */
export const EVERYWHERE_OPTION = 'everywhere';

/** The channel settings modal opened from the Home tab. */
export const SETTINGS_MODAL = {
  callbackId: 'channel_settings',
  prefix: { blockId: 'settings_prefix', actionId: 'prefix' },
  defaultExpiry: { blockId: 'settings_default_expiry', actionId: 'default_expiry' },
  maxExpiry: { blockId: 'settings_max_expiry', actionId: 'max_expiry' },
  maxSize: { blockId: 'settings_max_size', actionId: 'max_size' },
  types: { blockId: 'settings_types', actionId: 'types' },
} as const;

/** The "Revoke" button on a reply that carries a partner page link. */
export const REVOKE_LINK_ACTION = 'revoke_partner_link';

/** The "Revoke" button on a link in `/upload-link links`. */
export const REVOKE_LISTED_LINK_ACTION = 'revoke_listed_link';

/** The "Revoke" button on a link in the Home tab's "Your recent links". */
export const REVOKE_HOME_LINK_ACTION = 'revoke_home_link';
