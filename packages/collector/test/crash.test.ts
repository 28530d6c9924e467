import { type ChildProcess, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, cliPath, createSqliteDb, makeReceipt, post, startCli, type TestDb } from './helpers.js';

const run = promisify(execFile);

describe('crash safety (SQLite, real process)', () => {
  let db: TestDb;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    buildOnce();
    db = await createSqliteDb();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db?.drop();
  });

  it('keeps every receipt that got a 201 when the process is SIGKILLed mid-stream', async () => {
    const first = await startCli(['--db', db.db]);
    children.push(first.child);
    const acknowledged: string[] = [];
    let failed = 0;
    // Eight clients post unique receipts back to back until the server is gone, so the
    // kill lands while requests are in flight.
    const client = async () => {
      for (;;) {
        const receipt = makeReceipt();
        try {
          const response = await post(first.url, receipt);
          if (response.status === 201) acknowledged.push(receipt.receiptId);
        } catch {
          failed++;
          return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    // Kill once a fair number is acknowledged, not after a fixed time: on a loaded machine
    // 700 ms held as few as 9 answers, so a slow machine slows the test down instead of failing
    // it. Requests are still in flight either way.
    const deadline = Date.now() + 30_000;
    while (acknowledged.length <= 60 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(failed).toBeGreaterThan(0);

    const second = await startCli(['--db', db.db]);
    children.push(second.child);
    const stored = new Set((await db.sql('SELECT receipt_id FROM receipts')).map((row) => row.receipt_id));
    const missing = acknowledged.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect((await post(second.url, makeReceipt())).status).toBe(201);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    const verify = await run(process.execPath, [cliPath, 'verify', '--db', db.db]);
    expect(verify.stdout).toMatch(/^ok: \d+ receipts/);
  });
});
