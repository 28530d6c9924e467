import pg from 'pg';
import { canonicalJson, chainHash, createChainChecker, GENESIS_HASH } from './chain.js';
import type { InsertResult, ReceiptRow, ReceiptStore } from './store.js';
import { migrations, PAGE_SIZE, rowToChainLink, rowToStored } from './store.js';

const MIGRATIONS = migrations('BIGSERIAL PRIMARY KEY');

/** Any constant: serialises migrations across instances starting together. */
const MIGRATION_LOCK = 365_1001;

export interface PostgresStoreOptions {
  /** Pool size. @default 10 */
  max?: number;
}

/** Connects a pool to `url` and applies pending migrations. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<ReceiptStore> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client's network error must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }

  async function* pages<R>(read: (last: R | undefined) => Promise<R[]>): AsyncGenerator<R> {
    let last: R | undefined;
    for (;;) {
      const page = await read(last);
      for (const row of page) yield row;
      if (page.length < PAGE_SIZE) return;
      last = page[page.length - 1];
    }
  }

  return {
    kind: 'postgres',
    async insert(input) {
      const body = canonicalJson(input.receipt);
      const { receiptId, subjectId } = input.receipt;
      // One round trip for BEGIN, the lock and the reads (a multi-statement query cannot take
      // parameters, so the ids, already schema-checked UUIDs, are escaped in).
      // Instances behind a load balancer share the database: the per-subject lock makes
      // "read the chain head, append" atomic without serialising unrelated subjects.
      const begin = (client: pg.PoolClient) => {
        const subject = client.escapeLiteral(subjectId);
        return `BEGIN;
           SELECT pg_advisory_xact_lock(hashtext(${subject}));
           SELECT (SELECT row_to_json(r) FROM receipts r WHERE receipt_id = ${client.escapeLiteral(receiptId)}) AS existing,
                  coalesce((SELECT hash FROM receipts WHERE subject_id = ${subject} ORDER BY seq DESC LIMIT 1),
                           (SELECT hash FROM chain_anchors WHERE subject_id = ${subject})) AS head`;
      };
      return inTransaction(
        pool,
        async (client, opened): Promise<InsertResult> => {
          const { existing, head } = (
            opened as unknown as pg.QueryResult<{ existing: ReceiptRow | null; head: string | null }>[]
          )[2]!.rows[0]!;
          if (existing) return compare(existing, body);
          const prevHash = head ?? GENESIS_HASH;
          const hash = chainHash(prevHash, { body, receivedAt: input.receivedAt, clientIp: input.clientIp });
          // The same receiptId under another subject holds another lock: ON CONFLICT waits for
          // that insert to commit and then reports it, instead of failing on the unique index.
          const inserted = await client.query<ReceiptRow>(
            `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (receipt_id) DO NOTHING RETURNING *`,
            [receiptId, subjectId, input.receivedAt, input.clientIp, body, prevHash, hash],
          );
          if (inserted.rows[0]) return { status: 'created', stored: rowToStored(inserted.rows[0]) };
          const raced = await client.query<ReceiptRow>('SELECT * FROM receipts WHERE receipt_id = $1', [receiptId]);
          return compare(raced.rows[0]!, body);
        },
        begin,
      );
    },
    async bySubject(subjectId) {
      const result = await pool.query<ReceiptRow>('SELECT * FROM receipts WHERE subject_id = $1 ORDER BY seq', [
        subjectId,
      ]);
      return result.rows.map(rowToStored);
    },
    async *exportSince(since) {
      const from = since ?? '';
      const rows = pages<ReceiptRow>(async (last) => {
        const result = await pool.query<ReceiptRow>(
          `SELECT * FROM receipts WHERE received_at >= $1 AND (received_at, seq) > ($2, $3)
           ORDER BY received_at, seq LIMIT $4`,
          [from, last?.received_at ?? '', last?.seq ?? 0, PAGE_SIZE],
        );
        return result.rows;
      });
      for await (const row of rows) yield rowToStored(row);
    },
    async deleteSubject(subjectId) {
      const deleted = await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [subjectId]);
        await client.query('DELETE FROM chain_anchors WHERE subject_id = $1', [subjectId]);
        const result = await client.query('DELETE FROM receipts WHERE subject_id = $1', [subjectId]);
        return result.rowCount ?? 0;
      });
      await reclaim(pool);
      return deleted;
    },
    async purgeBefore(before) {
      // One statement, one snapshot: per subject, everything up to its newest receipt older
      // than the cut-off goes, and the last removed hash becomes the chain's anchor.
      const result = await pool.query<{ n: number }>(
        `WITH cut AS (
           SELECT subject_id, max(seq) AS seq FROM receipts WHERE received_at < $1 GROUP BY subject_id
         ), anchored AS (
           INSERT INTO chain_anchors (subject_id, hash)
           SELECT r.subject_id, r.hash FROM receipts r JOIN cut ON r.seq = cut.seq
           ON CONFLICT (subject_id) DO UPDATE SET hash = EXCLUDED.hash
         ), removed AS (
           DELETE FROM receipts r USING cut WHERE r.subject_id = cut.subject_id AND r.seq <= cut.seq RETURNING 1
         )
         SELECT count(*)::int AS n FROM removed`,
        [before],
      );
      await reclaim(pool);
      return result.rows[0]?.n ?? 0;
    },
    async verify() {
      const checker = createChainChecker();
      const rows = pages<ReceiptRow & { anchor: string | null }>(async (last) => {
        const result = await pool.query<ReceiptRow & { anchor: string | null }>(
          `SELECT r.*, a.hash AS anchor FROM receipts r LEFT JOIN chain_anchors a ON a.subject_id = r.subject_id
           WHERE (r.subject_id, r.seq) > ($1, $2) ORDER BY r.subject_id, r.seq LIMIT $3`,
          [last?.subject_id ?? '', last?.seq ?? 0, PAGE_SIZE],
        );
        return result.rows;
      });
      for await (const row of rows) {
        checker.add(rowToChainLink(row));
      }
      return checker.report();
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * A DELETE only marks rows dead: they stay in the table and index files until VACUUM removes
 * them, so the collector runs it at once instead of waiting for autovacuum. It cannot remove
 * rows that a transaction older than the deletion may still see, nor the copies in the WAL
 * and in backups (see the README's "Erasure" section).
 */
async function reclaim(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM receipts, chain_anchors');
}

function compare(existing: ReceiptRow, body: string): InsertResult {
  return existing.body === body ? { status: 'duplicate', stored: rowToStored(existing) } : { status: 'conflict' };
}

async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const current = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const applied = current.rows[0]?.v ?? 0;
    for (const [index, sql] of MIGRATIONS.entries()) {
      if (index + 1 <= applied) continue;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
    }
  });
}

/**
 * Runs `work` in a transaction on one pooled client. `begin` is the opening SQL: the insert sends
 * BEGIN, its lock and its reads in one round trip and gets their results as `opened`. COMMIT
 * resolves only once the commit is flushed (synchronous_commit), so a 201 means durable.
 */
async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, opened: pg.QueryResult | pg.QueryResult[]) => Promise<T>,
  begin: (client: pg.PoolClient) => string = () => 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(client, await client.query(begin(client)));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
