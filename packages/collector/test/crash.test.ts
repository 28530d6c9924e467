import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, cliPath, createSqliteDb, makeReceipt, post, type TestDb } from './helpers.js';

const run = promisify(execFile);

/** Starts the compiled CLI on a free port and resolves with its URL once it listens. */
function startCli(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliPath, '--port', '0', '--db', db, '--rate-limit', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
}

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
    const first = await startCli(db.db);
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
    // Kill once enough receipts were acknowledged rather than after a fixed time, so a loaded
    // machine (tests run in parallel) slows the test down instead of failing it.
    const deadline = Date.now() + 30_000;
    while (acknowledged.length <= 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGKILL');
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(failed).toBeGreaterThan(0);

    const second = await startCli(db.db);
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
