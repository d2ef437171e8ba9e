/**
 * The partner page's rate limits, and whose requests they count. Counters live in the store's database (shared by
 * every instance; src/store/rate-limits.ts), so no instance can be used to go round them and no flood of other
 * keys resets one.
 *
 * The caller's address: with `TRUST_PROXY=N`, the address the N-th proxy from us saw (proxy-addr, as Express's
 * numeric `trust proxy` reads X-Forwarded-For: right to left); with 0 (the default) the socket's own address, and
 * X-Forwarded-For, which anyone can send, is never read.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { RateRule } from '../core/ports.js';

export const RATE_LIMITS = { perLinkPerMinute: 30, perAddressPerMinute: 120, partsPerLinkPerMinute: 600 } as const;

export const PARTNER_RULES = {
  address: { name: 'partner_addr', points: RATE_LIMITS.perAddressPerMinute, windowSeconds: 60 },
  link: { name: 'partner_link', points: RATE_LIMITS.perLinkPerMinute, windowSeconds: 60 },
  // A multipart upload signs about one part a second at 1 Gbit/s (64 MiB parts), plus retries: its own budget per
  // link, beside (not inside) the address's, so a fast partner is never slowed by the page's own part signing.
  parts: { name: 'partner_parts', points: RATE_LIMITS.partsPerLinkPerMinute, windowSeconds: 60 },
} as const satisfies Record<string, RateRule>;

export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  return proxyAddr(req, (_address, hop) => hop < trustedProxies) || 'unknown';
}
