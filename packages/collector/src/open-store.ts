import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { ReceiptStore, StoreOptions } from './store.js';

/** `postgres://` or `postgresql://` URLs open PostgreSQL; anything else is a SQLite file path. */
export function openStore(db: string, options: StoreOptions = {}): Promise<ReceiptStore> {
  if (/^postgres(ql)?:\/\//i.test(db)) return openPostgresStore(db, options);
  return Promise.resolve().then(() => openSqliteStore(db, options));
}
