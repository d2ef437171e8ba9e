/**
 * The bot's own errors, and the two questions every surface asks of any error: what it says, and which Slack error
 * code (if any) it carries. Modelled on bolt-js's src/errors.ts: each error has a `name` and a stable `code`, so a
 * surface can decide what to tell people without `instanceof` chains or string matching.
 *
 * Errors people can cause are values (outcomes) in the core; these are the conditions outside anyone's input:
 * the database is down, AWS credentials are missing, Slack did not answer.
 */

export type ErrorCode = 'store_unavailable' | 'signing_unavailable' | 'group_lookup_failed';

export abstract class UploadLinkError extends Error {
  abstract readonly code: ErrorCode;
}

/** The store cannot be reached or failed: users get "temporarily unavailable, nothing was created". */
export class StoreUnavailableError extends UploadLinkError {
  override name = 'StoreUnavailableError';
  readonly code = 'store_unavailable' as const;
}

/** The bot cannot sign: no credentials, or they have expired. Users get a clear reply; nothing is created. */
export class SigningUnavailableError extends UploadLinkError {
  override name = 'SigningUnavailableError';
  readonly code = 'signing_unavailable' as const;
}

/** Slack could not tell the members of a user group. */
export class GroupLookupError extends UploadLinkError {
  override name = 'GroupLookupError';
  readonly code = 'group_lookup_failed' as const;
  /** Why members are missing, in the words shown after "members unavailable". */
  constructor(
    message: string,
    readonly unavailable = 'right now (Slack did not answer)',
  ) {
    super(message);
  }
}

export const isStoreUnavailable = (error: unknown): error is StoreUnavailableError =>
  error instanceof UploadLinkError && error.code === 'store_unavailable';

/** What an error says, whatever was thrown. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The `error` field of a Slack Web API error answer (`not_in_channel`, `invalid_auth`, …), when there is one. */
export const slackErrorCode = (error: unknown): string | undefined => {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  return typeof code === 'string' ? code : undefined;
};
