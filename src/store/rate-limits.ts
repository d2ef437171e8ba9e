/**
 * Request counters shared by every instance, kept in the store's own database by rate-limiter-flexible (a fixed
 * window per key, one atomic upsert per request). Nothing is evicted: a flood of other keys cannot reset a
 * counter; expired rows are cleared by the library (every 5 minutes, rows expired over an hour ago).
 *
 * The table is made by our migration (0006_requests), and the limiter is told `tableCreated: true`: left to itself
 * the library creates it asynchronously, rejects calls made before that ("Table is not created yet") and throws
 * creation errors into an unhandled rejection (RateLimiterSQLite.js:45-55, RateLimiterPostgres.js:32-49).
 */
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { RateLimiter, RateRule } from '../core/ports.js';
import type { LimiterStore } from './database.js';

const TABLE = 'rate_limits';

function storeLimiter(store: LimiterStore, rule: RateRule): RateLimiterSQLite | RateLimiterPostgres {
  const common = {
    keyPrefix: rule.name,
    points: rule.points,
    duration: rule.windowSeconds,
    // Always explicit: RateLimiterSQLite has no default table name (it would use a table named "undefined") and
    // clears nothing unless asked, whatever its docs say.
    tableName: TABLE,
    tableCreated: true,
    clearExpiredByTimeout: true,
  };
  if (store.dialect === 'sqlite') {
    return new RateLimiterSQLite({ ...common, storeClient: store.database, storeType: 'better-sqlite3' });
  }
  return new RateLimiterPostgres({ ...common, storeClient: store.pool, storeType: 'pool' });
}

export function createRateLimiter(
  store: LimiterStore,
  rule: RateRule,
  onStoreError?: (error: unknown) => void,
): RateLimiter {
  const shared = storeLimiter(store, rule);
  // The database down: count in this instance's memory, rather than refuse everyone or no one.
  const local = new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: rule.windowSeconds });
  const consume = async (limiter: RateLimiterSQLite | RateLimiterPostgres | RateLimiterMemory, key: string) => {
    try {
      await limiter.consume(key);
      return true;
    } catch (outcome) {
      // Over the limit rejects with a RateLimiterRes; anything else is the store failing.
      if (outcome instanceof RateLimiterRes) return false;
      throw outcome;
    }
  };
  return {
    async take(key) {
      try {
        return await consume(shared, key);
      } catch (error) {
        onStoreError?.(error);
        return consume(local, key);
      }
    },
  };
}
