/**
 * Channel settings: a channel's overrides over the global config, what each setting accepts (one parser for the
 * slash command, the CLI and the App Home's modal), and how a channel's settings are described.
 *
 * The channel's max expiry never exceeds the global max, and its default never exceeds its max.
 */
import { describeRange, formatDuration, MIN_EXPIRY_SECONDS, parseDuration } from './durations.js';
import { channelPrefix, prefixProblems } from './keys.js';
import { formatSize, parseSize, parseTypes } from './limits.js';
import type { ChannelSettings, ChannelSettingsPatch } from './model.js';
import { code, type Line } from './text.js';

export interface GlobalSettings {
  readonly uploadPrefix: string;
  readonly defaultExpirySeconds: number;
  readonly maxExpirySeconds: number;
}

export interface EffectiveSettings {
  readonly prefix: string;
  readonly defaultExpirySeconds: number;
  readonly maxExpirySeconds: number;
  /** Which values come from the channel's own settings. */
  readonly overridden: { readonly prefix: boolean; readonly defaultExpiry: boolean; readonly maxExpiry: boolean };
}

export function effectiveSettings(
  global: GlobalSettings,
  channelId: string,
  stored: ChannelSettings | undefined,
): EffectiveSettings {
  const maxExpirySeconds = Math.min(stored?.maxExpirySeconds ?? global.maxExpirySeconds, global.maxExpirySeconds);
  const defaultExpirySeconds = Math.min(stored?.defaultExpirySeconds ?? global.defaultExpirySeconds, maxExpirySeconds);
  return {
    prefix: stored?.keyPrefix ?? channelPrefix(global.uploadPrefix, channelId),
    defaultExpirySeconds,
    maxExpirySeconds,
    overridden: {
      prefix: stored?.keyPrefix !== undefined,
      defaultExpiry: stored?.defaultExpirySeconds !== undefined,
      maxExpiry: stored?.maxExpirySeconds !== undefined,
    },
  };
}

export type SettingName = 'prefix' | 'default-expiry' | 'max-expiry' | 'max-size' | 'types';
export const SETTING_NAMES: readonly SettingName[] = ['prefix', 'default-expiry', 'max-expiry', 'max-size', 'types'];

/** The rule each setting follows, in the words the command, the modal and the README use. */
export const SETTING_RULES: Record<SettingName, string> = {
  prefix: 'must end with "/", must not start with "/", and must not contain "." or ".." parts',
  'default-expiry': 'a number and m, h, d or w, like 2h or 3d',
  'max-expiry': 'a number and m, h, d or w, like 2h or 3d',
  'max-size': 'a number and B, KB, MB, GB or TB, like 200MB, up to 5 TB',
  types: 'file extensions separated by commas, like pdf,xlsx',
};

export const isSettingName = (name: string): name is SettingName => (SETTING_NAMES as readonly string[]).includes(name);

export type ParsedSetting =
  | { readonly ok: true; readonly patch: ChannelSettingsPatch }
  | { readonly ok: false; readonly problem: Line };

/** One `name=value` as typed (empty or `default` clears it back to the default). */
export function parseSettingValue(name: SettingName, value: string): ParsedSetting {
  const reset = value.toLowerCase() === 'default';
  const ok = (patch: ChannelSettingsPatch): ParsedSetting => ({ ok: true, patch });
  const fail = (...problem: Line): ParsedSetting => ({ ok: false, problem });
  switch (name) {
    case 'prefix': {
      if (reset) return ok({ keyPrefix: null });
      const problems = prefixProblems(value);
      if (value === '' || problems.length > 0) {
        return fail(
          `The prefix "${value}" ${value === '' ? 'is empty' : problems.join(', ')}. Example: prefix=partners/acme/`,
        );
      }
      return ok({ keyPrefix: value });
    }
    case 'default-expiry':
    case 'max-expiry': {
      const seconds = reset ? null : parseDuration(value);
      if (seconds === undefined) {
        return fail(
          `"${value}" isn't a duration: use a number and m, h, d or w (like 2h or 3d), or `,
          code('default'),
          '.',
        );
      }
      return ok(name === 'default-expiry' ? { defaultExpirySeconds: seconds } : { maxExpirySeconds: seconds });
    }
    case 'max-size': {
      const size = reset ? null : parseSize(value);
      if (size === undefined) {
        return fail(
          `"${value}" isn't a size: use a number and B, KB, MB, GB or TB (like 200MB), up to 5 TB, or `,
          code('default'),
          '.',
        );
      }
      return ok({ maxSizeBytes: size });
    }
    case 'types': {
      const types = reset ? null : parseTypes(value);
      if (types === undefined) {
        return fail(
          `"${value}" isn't a list of file types: use extensions separated by commas (like pdf,xlsx), or `,
          code('default'),
          '.',
        );
      }
      return ok({ allowedTypes: types });
    }
  }
}

export interface SettingsProblem {
  readonly setting: 'default-expiry' | 'max-expiry';
  readonly problem: string;
}

/**
 * Why `patch` cannot apply over a channel's `stored` settings: the expiries it would leave out of range. Shared by
 * the `settings` command and the App Home's settings modal, which shows the problem next to the field.
 */
export function settingsProblem(
  global: GlobalSettings,
  stored: ChannelSettings | undefined,
  patch: ChannelSettingsPatch,
): SettingsProblem | undefined {
  const globalMax = global.maxExpirySeconds;
  const nextMax =
    patch.maxExpirySeconds === undefined ? stored?.maxExpirySeconds : (patch.maxExpirySeconds ?? undefined);
  const nextDefault =
    patch.defaultExpirySeconds === undefined ? stored?.defaultExpirySeconds : (patch.defaultExpirySeconds ?? undefined);
  const maxBound = { minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: globalMax };
  if (nextMax !== undefined && (nextMax < MIN_EXPIRY_SECONDS || nextMax > globalMax)) {
    return { setting: 'max-expiry', problem: `max-expiry must be ${describeRange(maxBound)} (the bot's MAX_EXPIRY).` };
  }
  const effectiveMax = nextMax ?? globalMax;
  if (nextDefault !== undefined && (nextDefault < MIN_EXPIRY_SECONDS || nextDefault > effectiveMax)) {
    const range = describeRange({ minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: effectiveMax });
    return { setting: 'default-expiry', problem: `default-expiry must be ${range} (this channel's max expiry).` };
  }
  return undefined;
}

/** A channel's settings, one line each, marking the ones that are the bot's defaults. */
export function settingsLines(global: GlobalSettings, channelId: string, stored: ChannelSettings | undefined): Line[] {
  const e = effectiveSettings(global, channelId, stored);
  const mark = (own: boolean) => (own ? '' : ' (default)');
  return [
    ['• prefix: ', code(e.prefix), mark(e.overridden.prefix)],
    [`• default expiry: ${formatDuration(e.defaultExpirySeconds)}${mark(e.overridden.defaultExpiry)}`],
    [`• max expiry: ${formatDuration(e.maxExpirySeconds)}${mark(e.overridden.maxExpiry)}`],
    [
      `• max size: ${stored?.maxSizeBytes === undefined ? 'none (5 GB, the S3 limit) (default)' : formatSize(stored.maxSizeBytes)}`,
    ],
    [`• types: ${stored?.allowedTypes === undefined ? 'any (default)' : stored.allowedTypes.join(', ')}`],
  ];
}
