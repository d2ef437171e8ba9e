/**
 * A file arrived at a link's key: claim it in the store (once per distinct object, atomically across instances,
 * audited with its source), then tell Slack. Every source of arrivals goes through here: the partner page's
 * completion ('page'), S3 event notifications ('event', src/arrivals/routes.ts) and polling ('poll',
 * core/polling.ts), so the channel hears about each object once, whichever way, and however often, the news came.
 *
 * Announcing is at least once: a claim stays pending until Slack has taken the message. If the claimer fails (Slack
 * down) or dies before that, its lease runs out and `retryAnnouncements`, which every instance runs now and then,
 * takes the claim over (one instance per claim) and announces it.
 */
import type { Arrival, ArrivalNotice, ArrivalSource, PartnerLink } from './model.js';
import type { ArrivalClaim, Store } from './ports.js';

export type { ArrivalSource };

/** How long a claimer has to announce before another instance may: well above a slow Slack call. */
export const ANNOUNCE_LEASE_SECONDS = 60;
/** After a failed announcement: wait 30 s, doubling, at most an hour, and give up after this many attempts. */
export const RETRY_BASE_SECONDS = 30;
export const RETRY_MAX_SECONDS = 3600;
export const MAX_ANNOUNCE_ATTEMPTS = 12;

export interface ArrivalDeps {
  readonly store: Store;
  readonly now: () => Date;
  /** Tell the channel (or the requester). Rejects when Slack did not take it. */
  readonly notify: (notice: ArrivalNotice) => Promise<void>;
  /** An announcement failed (it will be retried unless `gaveUp`); for the log. */
  readonly onNotifyFailed?: (link: PartnerLink, error: unknown, gaveUp: boolean) => void;
  /** Announcements run after the caller has its answer; given each, so shutdown can wait for them. */
  readonly track?: (announcement: Promise<void>) => void;
  /**
   * Claims this process is announcing right now (`link id` NUL `version`): a retry round that finds one of them
   * past its lease (Slack slower than the lease) leaves it to the announcement in progress instead of posting twice.
   */
  readonly announcing?: Set<string>;
}

export interface ArrivalResult {
  /** False when this exact object was already recorded (nothing new is posted). */
  readonly first: boolean;
  /** A second version of a single-use link's object: a write S3 refused, reported anyway (RGW); not recorded. */
  readonly writtenOnce?: true;
  readonly replaced: boolean;
  readonly afterRevoke: boolean;
}

const NOTHING_NEW: ArrivalResult = { first: false, replaced: false, afterRevoke: false };

/**
 * An object's identity at its key: the ETag without quotes, lowercased (HeadObject quotes it, event records do
 * not), or the event's sequencer when there is no ETag; undefined when there is neither.
 */
export function objectVersion(object: Pick<Arrival, 'etag' | 'sequencer'>): string | undefined {
  const etag = object.etag.replaceAll('"', '').trim().toLowerCase();
  if (etag !== '') return etag;
  const sequencer = object.sequencer?.trim().toUpperCase();
  return sequencer ? `seq:${sequencer}` : undefined;
}

const addSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

export async function recordArrival(
  deps: ArrivalDeps,
  link: PartnerLink,
  object: Arrival,
  source: ArrivalSource,
): Promise<ArrivalResult> {
  const version = objectVersion(object);
  if (version === undefined) return NOTHING_NEW;
  const now = deps.now();
  const arrival = {
    version,
    size: object.size,
    contentType: object.contentType,
    source,
    landedAt: object.landedAt ?? now,
  };
  const outcome = await deps.store.arrivals.claim(link.id, arrival, now, addSeconds(now, ANNOUNCE_LEASE_SECONDS));
  if (outcome.kind === 'written-once') return { ...NOTHING_NEW, writtenOnce: true };
  if (outcome.kind !== 'claimed') return NOTHING_NEW;
  const announcement = announce(deps, outcome.claim);
  deps.track?.(announcement);
  return { first: true, replaced: outcome.claim.replaced, afterRevoke: outcome.claim.afterRevoke };
}

/** An arrival's version is its ETag (lowercase, no quotes), or `seq:<sequencer>` when an event carried none. */
const etagOf = (version: string): string | undefined => (version.startsWith('seq:') ? undefined : version);

/** Post the notice and mark the claim announced; on failure, leave it pending for a later attempt. Never rejects. */
async function announce(deps: ArrivalDeps, claim: ArrivalClaim): Promise<void> {
  const id = `${claim.link.id}\0${claim.version}`;
  if (deps.announcing?.has(id)) return;
  deps.announcing?.add(id);
  try {
    await notifyAndMark(deps, claim);
  } finally {
    deps.announcing?.delete(id);
  }
}

async function notifyAndMark(deps: ArrivalDeps, claim: ArrivalClaim): Promise<void> {
  const { link } = claim;
  try {
    await deps.notify({
      link,
      size: claim.size,
      contentType: claim.contentType,
      replaced: claim.replaced,
      afterRevoke: claim.afterRevoke,
      etag: etagOf(claim.version),
    });
  } catch (error) {
    const attempts = claim.attempts + 1;
    const gaveUp = attempts >= MAX_ANNOUNCE_ATTEMPTS;
    const wait = Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempts - 1));
    deps.onNotifyFailed?.(link, error, gaveUp);
    await deps.store.arrivals
      .postpone(link.id, claim.version, gaveUp ? undefined : addSeconds(deps.now(), wait))
      .catch(() => undefined); // The lease runs out by itself: the claim is retried all the same.
    return;
  }
  // If this fails, Slack has the message but the claim stays pending: the one case announced twice (logged).
  await deps.store.arrivals
    .markAnnounced(link.id, claim.version, deps.now())
    .catch((error: unknown) => deps.onNotifyFailed?.(link, error, false));
}

/** Announce claims whose claimer failed or died (their lease ran out). Returns how many were taken. */
export async function retryAnnouncements(deps: ArrivalDeps, limit = 20): Promise<number> {
  const now = deps.now();
  const due = await deps.store.arrivals.takeDue(now, addSeconds(now, ANNOUNCE_LEASE_SECONDS), limit);
  for (const claim of due) await announce(deps, claim);
  return due.length;
}

/** What an S3 event record says about one created object (see core/s3-events.ts). */
export interface CreatedObject {
  /** The key as the record spells it, decoded where that makes sense: each is looked up in turn. */
  readonly keys: readonly string[];
  readonly size: number;
  readonly etag: string;
  readonly sequencer: string | undefined;
  readonly eventTime: Date | undefined;
}

export interface EventReport {
  readonly recorded: number;
  readonly duplicates: number;
  /** Keys no link has (another application's objects, or links removed since): ignored. */
  readonly unknownKeys: readonly string[];
  /** Keys of single-use links named with a second version (a write S3 refused): ignored. */
  readonly writtenOnceKeys: readonly string[];
}

/** Record the objects S3 events name, matched to their links by key. */
export async function recordCreatedObjects(deps: ArrivalDeps, objects: readonly CreatedObject[]): Promise<EventReport> {
  let recorded = 0;
  let duplicates = 0;
  const unknownKeys: string[] = [];
  const writtenOnceKeys: string[] = [];
  for (const object of objects) {
    let link: PartnerLink | undefined;
    for (const key of object.keys) {
      link = await deps.store.arrivals.linkForKey(key);
      if (link !== undefined) break;
    }
    if (link === undefined) {
      unknownKeys.push(object.keys[0] ?? '');
      continue;
    }
    const arrival: Arrival = {
      size: object.size,
      etag: object.etag,
      ...(object.sequencer === undefined ? {} : { sequencer: object.sequencer }),
      ...(object.eventTime === undefined ? {} : { landedAt: object.eventTime }),
    };
    const result = await recordArrival(deps, link, arrival, 'event');
    if (result.first) recorded++;
    else if (result.writtenOnce) writtenOnceKeys.push(link.key);
    else duplicates++;
  }
  return { recorded, duplicates, unknownKeys, writtenOnceKeys };
}
