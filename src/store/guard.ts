import type { Kysely, Transaction } from 'kysely';
import { errorMessage, StoreUnavailableError } from '../lib/errors.js';
import type { Database } from './schema.js';

/** The database, or a transaction on it: repositories' helpers take either. */
export type Db = Kysely<Database> | Transaction<Database>;

/** Run `work`; any database failure becomes a StoreUnavailableError. */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`the access store failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** bigint columns: PostgreSQL returns them as strings. */
export function numberOrUndefined(value: number | string | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** Comma-separated extensions → a list; empty or null → undefined (any type). */
export function typesOrUndefined(value: string | null | undefined): string[] | undefined {
  return value === null || value === undefined || value === '' ? undefined : value.split(',');
}
