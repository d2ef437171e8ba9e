/**
 * A file arrived at a link's key: record it (once per object, audited) and tell Slack. Every source of arrivals
 * (the partner page's completion today; S3 events and polling to come) goes through here, so the channel hears
 * about each object once, whichever way the news came.
 */
import type { Arrival, ArrivalNotice, PartnerLink } from './model.js';
import type { Store } from './ports.js';

/** How the bot learnt of the arrival: the page's completion call, an S3 event, or polling HeadObject. */
export type ArrivalSource = 'page' | 'event' | 'poll';

export interface ArrivalDeps {
  readonly store: Store;
  readonly now: () => Date;
  /** Tell the channel (or the requester). Failures are reported through `onNotifyFailed`, never thrown. */
  readonly notify: (notice: ArrivalNotice) => Promise<void>;
  readonly onNotifyFailed?: (link: PartnerLink, error: unknown) => void;
}

export interface ArrivalResult {
  /** False when this exact object was already recorded (nothing new was posted). */
  readonly first: boolean;
}

export async function recordArrival(
  deps: ArrivalDeps,
  link: PartnerLink,
  object: Arrival,
  _source: ArrivalSource,
): Promise<ArrivalResult> {
  const result = await deps.store.links.recordArrival(link.id, object, deps.now());
  if (result?.first) {
    deps
      .notify({ link: result.link, size: object.size, contentType: object.contentType, etag: object.etag })
      .catch((error: unknown) => deps.onNotifyFailed?.(link, error));
  }
  return { first: result?.first ?? false };
}
