/**
 * Fixed-window request counters, in memory, per key (a link id, a client address). Enough for one instance; each
 * instance counts on its own.
 */
export interface RateLimiter {
  /** Count one request for `key`; false when it is over `limit` in the current window. */
  take(key: string, limit: number, now?: number): boolean;
}

export function createRateLimiter(windowMs = 60_000, maxKeys = 50_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, limit, now = Date.now()) {
      let entry = windows.get(key);
      if (entry === undefined || now - entry.start >= windowMs) {
        if (windows.size >= maxKeys) {
          for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
          // Still full: forget the oldest half rather than grow without bound.
          if (windows.size >= maxKeys) for (const k of [...windows.keys()].slice(0, maxKeys / 2)) windows.delete(k);
        }
        entry = { start: now, count: 0 };
        windows.set(key, entry);
      }
      entry.count += 1;
      return entry.count <= limit;
    },
  };
}
