import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { ReceiptStore } from './store.js';

/** `postgres://` or `postgresql://` URLs name PostgreSQL; anything else is a SQLite file path. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/** Opens PostgreSQL for a `postgres://` URL, else the SQLite file (created if missing). */
export function openStore(db: string): Promise<ReceiptStore> {
  if (isPostgresUrl(db)) return openPostgresStore(db);
  return Promise.resolve(openSqliteStore(db));
}
