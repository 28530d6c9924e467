import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { ReceiptStore, StoreOptions } from './store.js';

/** `postgres://` or `postgresql://` URLs name PostgreSQL; anything else is a SQLite file path. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/**
 * Opens PostgreSQL for a `postgres://` URL, else the SQLite file (created if missing). A SQLite
 * open error is a rejected promise, like PostgreSQL's, never a synchronous throw.
 */
export function openStore(db: string, options: StoreOptions = {}): Promise<ReceiptStore> {
  if (isPostgresUrl(db)) return openPostgresStore(db, options);
  return Promise.resolve().then(() => openSqliteStore(db, options));
}
