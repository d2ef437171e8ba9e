/**
 * The channel settings modal opened from the Home tab, and reading its fields back: each field is parsed exactly as
 * the same `name=value` typed after `/upload-link settings` (src/core/settings.ts), so the words and rules match.
 */
import type { ModalView } from '@slack/types';
import { formatDuration } from '../../core/durations.js';
import { formatSize } from '../../core/limits.js';
import type { ChannelSettings, ChannelSettingsPatch } from '../../core/model.js';
import {
  effectiveSettings,
  type GlobalSettings,
  parseSettingValue,
  SETTING_RULES,
  type SettingName,
  type SettingsProblem,
} from '../../core/settings.js';
import { SETTINGS_MODAL } from '../ids.js';
import { toPlainText } from '../mrkdwn.js';
import { clip, input, plain, section } from './blocks.js';

/** Modal titles are at most 24 characters. */
const MAX_MODAL_TITLE = 24;

export interface SettingsModalData {
  readonly channelId: string;
  readonly global: GlobalSettings;
  readonly stored: ChannelSettings | undefined;
}

export function buildSettingsModal({ channelId, global, stored }: SettingsModalData): ModalView {
  const defaults = effectiveSettings(global, channelId, undefined);
  const text = (ids: { blockId: string; actionId: string }, label: string, initial: string | undefined, hint: string) =>
    input(
      ids,
      label,
      {
        type: 'plain_text_input',
        placeholder: plain('Empty: the default'),
        ...(initial === undefined ? {} : { initial_value: initial }),
      },
      hint,
    );
  const rule = (name: SettingName) => SETTING_RULES[name].replace(/^./, (c) => c.toUpperCase());
  return {
    type: 'modal',
    callback_id: SETTINGS_MODAL.callbackId,
    private_metadata: channelId,
    title: plain('Channel settings', MAX_MODAL_TITLE),
    submit: plain('Save', MAX_MODAL_TITLE),
    close: plain('Cancel', MAX_MODAL_TITLE),
    blocks: [
      section(`Settings for <#${channelId}>. Leave a field empty (or type \`default\`) to use the bot's default.`),
      text(
        SETTINGS_MODAL.prefix,
        'Key prefix (folder for uploads)',
        stored?.keyPrefix,
        `Default: ${defaults.prefix}. ${rule('prefix')}.`,
      ),
      text(
        SETTINGS_MODAL.defaultExpiry,
        'Default expiry',
        stored?.defaultExpirySeconds === undefined ? undefined : formatDuration(stored.defaultExpirySeconds),
        `Default: ${formatDuration(global.defaultExpirySeconds)}. ${rule('default-expiry')}.`,
      ),
      text(
        SETTINGS_MODAL.maxExpiry,
        'Max expiry',
        stored?.maxExpirySeconds === undefined ? undefined : formatDuration(stored.maxExpirySeconds),
        `Default and upper limit: ${formatDuration(global.maxExpirySeconds)} (the bot's MAX_EXPIRY).`,
      ),
      text(
        SETTINGS_MODAL.maxSize,
        'Max size',
        stored?.maxSizeBytes === undefined ? undefined : formatSize(stored.maxSizeBytes).replace(' ', ''),
        `Default: none (5 GB, the S3 limit). ${rule('max-size')}. With a limit, uploads go through the partner page only.`,
      ),
      text(
        SETTINGS_MODAL.types,
        'File types',
        stored?.allowedTypes?.join(','),
        `Default: any. ${rule('types')}. With a limit, uploads go through the partner page only.`,
      ),
    ],
  };
}

export interface SettingsForm {
  readonly prefix: string;
  readonly defaultExpiry: string;
  readonly maxExpiry: string;
  readonly maxSize?: string;
  readonly types?: string;
}

type SettingsField = {
  readonly name: SettingName;
  readonly key: keyof ChannelSettingsPatch;
  readonly form: keyof SettingsForm;
  readonly blockId: string;
};

const SETTINGS_FIELDS: readonly SettingsField[] = [
  { name: 'prefix', key: 'keyPrefix', form: 'prefix', blockId: SETTINGS_MODAL.prefix.blockId },
  {
    name: 'default-expiry',
    key: 'defaultExpirySeconds',
    form: 'defaultExpiry',
    blockId: SETTINGS_MODAL.defaultExpiry.blockId,
  },
  { name: 'max-expiry', key: 'maxExpirySeconds', form: 'maxExpiry', blockId: SETTINGS_MODAL.maxExpiry.blockId },
  { name: 'max-size', key: 'maxSizeBytes', form: 'maxSize', blockId: SETTINGS_MODAL.maxSize.blockId },
  { name: 'types', key: 'allowedTypes', form: 'types', blockId: SETTINGS_MODAL.types.blockId },
];

export const settingsBlockFor = (setting: SettingsProblem['setting']): string =>
  setting === 'max-expiry' ? SETTINGS_MODAL.maxExpiry.blockId : SETTINGS_MODAL.defaultExpiry.blockId;

/** Modal errors are plain text, at most a few lines. */
export const plainError = (text: string) => clip(text, 300);

/** Lists (file types) compare by content: an untouched field changes nothing. */
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export type ParsedSettingsForm =
  | { readonly ok: true; readonly patch: ChannelSettingsPatch }
  | { readonly ok: false; readonly errors: Record<string, string> };

/**
 * The modal's fields → a settings patch (empty → `default`). Only fields that differ from what is stored go into
 * the patch, so saving an untouched form changes nothing.
 */
export function parseSettingsForm(
  _channelId: string,
  form: SettingsForm,
  stored: ChannelSettings | undefined,
): ParsedSettingsForm {
  const errors: Record<string, string> = {};
  let patch: ChannelSettingsPatch = {};
  for (const field of SETTINGS_FIELDS) {
    const typed = (form[field.form] ?? '').trim();
    const parsed = parseSettingValue(field.name, typed === '' ? 'default' : typed);
    if (!parsed.ok) {
      errors[field.blockId] = plainError(toPlainText(parsed.problem));
      continue;
    }
    const value = parsed.patch[field.key];
    const current = stored?.[field.key] ?? null;
    if (value !== undefined && !sameValue(value, current)) patch = { ...patch, [field.key]: value };
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, patch };
}
