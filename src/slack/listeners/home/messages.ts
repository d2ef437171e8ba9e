/** What the Home tab says about its own forms, and reading their state. */
import type { BlockAction } from '@slack/bolt';

export const homeMessages = {
  pickSubjects: 'Pick at least one person or a user group, then press Allow. Nothing was changed.',
  pickTarget: 'Pick a channel, or tick Everywhere, then press Allow. Nothing was changed.',
  pickOneTarget: 'Pick a channel or tick Everywhere, not both. Nothing was changed.',
  pickAdmins: 'Pick the people to make admins, then press Add admin. Nothing was changed.',
  badButton: 'That button is out of date; here is the current state. Nothing was changed.',
  settingsNotAdmin: 'Only admins can change channel settings. Nothing was changed.',
  settingsLostChannel: 'This form lost track of its channel. Close it and press Edit settings again.',
} as const;

export type StateValues = NonNullable<BlockAction['view']>['state']['values'];

export const stateOf = (values: StateValues | undefined, ids: { blockId: string; actionId: string }) =>
  values?.[ids.blockId]?.[ids.actionId];
