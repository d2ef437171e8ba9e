/**
 * The embedded S3's event notifications, delivered to the bot the way Ceph RGW or MinIO deliver theirs: each one
 * POSTed as JSON to the bot's `/s3/events/<S3_EVENTS_TOKEN>`. The playground uses it so raw-URL and curl uploads
 * are announced like page uploads; tests use it to drive the webhook with real S3 events.
 */
export interface EventForwarder {
  /** Resolves when every event forwarded so far has been answered. */
  settled(): Promise<void>;
  stop(): void;
}

/** `subscribe` is the embedded S3's `onChange` (or the tests' `onEvent`). */
export function forwardS3Events(
  subscribe: (listener: (event: unknown) => void) => () => void,
  url: string,
  onFailure: (message: string) => void = () => {},
): EventForwarder {
  const pending = new Set<Promise<void>>();
  const stop = subscribe((event) => {
    const delivery = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    })
      .then(async (response) => {
        await response.body?.cancel();
        if (!response.ok) onFailure(`the bot answered ${response.status} to an S3 event`);
      })
      .catch((error: unknown) => onFailure(`could not deliver an S3 event: ${(error as Error).message}`))
      .finally(() => pending.delete(delivery));
    pending.add(delivery);
  });
  return {
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    stop,
  };
}
