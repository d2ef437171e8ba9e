/** Times as the bot writes them, and a timeout for calls that must not hold a user up. */

/** `2024-03-05 12:00 UTC`: the audit trail, the CLI and the partner page's fallback. */
export const utcMinutes = (at: Date): string =>
  at
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d{2}\.\d{3}Z$/, ' UTC');

/** `2024-03-05T12:00:00Z`: ISO-8601 to the second. */
export const isoSeconds = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `promise`, or a rejection with "`what` took longer than N s" once `ms` have passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
