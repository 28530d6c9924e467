import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { ReceiptStore } from './store.js';

/** `postgres://` or `postgresql://` URLs open PostgreSQL; anything else is a SQLite file path. */
export function openStore(db: string): Promise<ReceiptStore> {
  if (/^postgres(ql)?:\/\//i.test(db)) return openPostgresStore(db);
  return Promise.resolve(openSqliteStore(db));
}
