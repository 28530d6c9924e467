import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server on 127.0.0.1 the tests create databases on. */
    databaseUrl: string;
    /** Why PostgreSQL is unusable, or null: the PostgreSQL tests fail with this message. */
    pgError: string | null;
  }
}

const DEFAULT_URL = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

async function canConnect(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

/** Starts every local cluster that is down (Debian's pg_ctlcluster runs it as the postgres user). */
function startClusters(): void {
  const clusters = run('pg_lsclusters', ['--no-header'])
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4);
  for (const [version, name, , status] of clusters) {
    if (status !== 'online') run('pg_ctlcluster', [version!, name!, 'start']);
  }
}

/**
 * Makes sure a PostgreSQL server answers on 127.0.0.1 before the collector tests run.
 * It never fails the whole run: the SQLite suites still run and each PostgreSQL test
 * fails with the reason, so a missing server is never mistaken for a pass or a skip.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  project.provide('databaseUrl', url);
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') {
    project.provide('pgError', `DATABASE_URL must point at 127.0.0.1, not ${host}`);
    return;
  }
  let problem = await canConnect(url);
  if (problem) {
    try {
      startClusters();
      // Password auth on 127.0.0.1 needs a password; local peer auth lets us set it.
      const password = decodeURIComponent(new URL(url).password || 'postgres').replaceAll("'", "''");
      run('su', ['postgres', '-c', `psql -q -c "ALTER USER postgres PASSWORD '${password}'"`]);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      problem = `${problem}; starting it failed: ${detail}`;
    }
    for (let attempt = 0; attempt < 20 && problem; attempt++) {
      problem = await canConnect(url);
      if (problem) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  project.provide(
    'pgError',
    problem ? `PostgreSQL is not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}: ${problem}` : null,
  );
}
