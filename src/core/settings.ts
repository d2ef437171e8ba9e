/**
 * A channel's effective settings: its overrides from the store over the global config. The channel's max never
 * exceeds the global max, and its default never exceeds its max.
 */

import type { ChannelSettings } from '../store/index.js';
import { channelPrefix } from './keys.js';

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
