import type { Logger } from '@slack/bolt';
import { type DatabaseTarget, openDatabase } from './database.js';
import { type AccessStore, createAccessStore } from './store.js';

export * from './database.js';
export * from './store.js';

/** Open the store for a target. Call `migrate()` before serving. */
export function openAccessStore(target: DatabaseTarget, logger?: Logger): AccessStore {
  const { db, dialect, close } = openDatabase(target, logger);
  return createAccessStore(db, dialect, close);
}
