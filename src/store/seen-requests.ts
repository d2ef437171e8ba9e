/**
 * Slack requests already acted on, shared by every instance through the store's database: a request is claimed by
 * one atomic `INSERT … ON CONFLICT DO NOTHING`, and only the instance whose insert added the row goes on.
 *
 * The key is the request's HMAC digest as we compute it (it binds the timestamp and the exact body), not the
 * X-Slack-Signature header as sent: Bolt's own check also accepts `v0=<digest>=anything` and timestamps like
 * `017…`, each a new header string for the same signed request.
 */
import type { Kysely } from 'kysely';
import type { SeenRequestRepository } from '../core/ports.js';
import { guard } from './guard.js';
import type { Database } from './schema.js';

export interface SeenRequestsOptions {
  readonly now?: () => number;
  /** Kept this long after their timestamp: the acceptance window (5 minutes) and a margin for clock skew. */
  readonly keepSeconds?: number;
  /** Prune at most this often per instance, after a claim, off the request's path. */
  readonly pruneEveryMs?: number;
  readonly onPruneError?: (error: unknown) => void;
}

/** `claimRequest`: the atomic `INSERT … ON CONFLICT DO NOTHING`, true when it added the row (src/store/prepared.ts). */
export function createSeenRequestRepository(
  db: Kysely<Database>,
  claimRequest: (digest: string, timestampSeconds: number) => Promise<boolean>,
  options: SeenRequestsOptions = {},
): SeenRequestRepository {
  const now = options.now ?? Date.now;
  const keepSeconds = options.keepSeconds ?? 360;
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  let lastPrune = 0;

  const prune = () => {
    const cutoff = Math.floor(now() / 1000) - keepSeconds;
    return db.deleteFrom('seen_slack_requests').where('request_ts', '<', cutoff).execute();
  };

  return {
    claim: (digest, timestampSeconds) =>
      guard(async () => {
        const first = await claimRequest(digest, timestampSeconds);
        if (now() - lastPrune >= pruneEveryMs) {
          lastPrune = now();
          prune().catch((error: unknown) => options.onPruneError?.(error));
        }
        return first;
      }),
  };
}
