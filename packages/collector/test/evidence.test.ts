import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, linkHash, subjectDigest } from '../src/chain.js';
import { buildOnce, cliPath, makeReceipt, post, startCli, stopCli, stores, type TestDb } from './helpers.js';

const run = promisify(execFile);
const TOKEN = 'evidence-test-token';
const admin = { authorization: `Bearer ${TOKEN}` };
const KEY = randomBytes(32).toString('hex');

interface Row {
  seq: number | string;
  receipt_id: string;
  subject_id: string;
  received_at: string;
  client_ip: string | null;
  body: string;
  prev_hash: string;
  hash: string;
  link: number | string;
}

describe.each(stores)('tamper evidence on $kind (real CLI)', ({ kind, create }) => {
  let db: TestDb;
  let child: ChildProcess | undefined;
  let base: string;
  let dir: string;
  let heads: string;

  beforeAll(() => buildOnce());
  beforeEach(async () => {
    db = await create();
    dir = mkdtempSync(join(tmpdir(), 'collector-heads-'));
    heads = join(dir, 'heads.json');
  });
  afterEach(async () => {
    if (child) await stopCli(child);
    child = undefined;
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `?` placeholders for both databases. */
  const sql = (text: string, params: unknown[] = []) => {
    let n = 0;
    return db.sql(kind === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text, params);
  };
  const rowsOf = async (subjectId: string) =>
    (await sql('SELECT * FROM receipts WHERE subject_id = ? ORDER BY seq', [subjectId])) as unknown as Row[];

  async function start(key: string | null = KEY): Promise<void> {
    const cli = await startCli(
      ['--db', db.db, '--admin-token', TOKEN],
      key ? { CONSENT_COLLECTOR_CHAIN_KEY: key } : {},
    );
    child = cli.child;
    base = cli.url;
  }
  async function restart(key: string | null): Promise<void> {
    if (child) await stopCli(child);
    await start(key);
  }

  /** Runs `verify`; resolves with its exit code and output, whatever the code. */
  async function verify(args: string[] = [], key: string | null = KEY) {
    const env = { ...process.env, CONSENT_COLLECTOR_CHAIN_KEY: key ?? '' };
    try {
      const { stdout, stderr } = await run(process.execPath, [cliPath, 'verify', '--db', db.db, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** A visitor who accepts, then customises, then withdraws: each receipt names the one before. */
  async function visitor(methods: ReturnType<typeof makeReceipt>['method'][] = ['accept_all', 'custom', 'withdraw']) {
    const receipts: ReturnType<typeof makeReceipt>[] = [];
    const subjectId = makeReceipt().subjectId;
    for (const method of methods) {
      const receipt = makeReceipt({ subjectId, method, previousReceiptId: receipts.at(-1)?.receiptId ?? null });
      expect((await post(base, receipt)).status).toBe(201);
      receipts.push(receipt);
    }
    return { subjectId, receipts };
  }

  it('passes untouched keyed chains and says how many links it checked with the key', async () => {
    await start();
    await visitor();
    await visitor();
    const result = await verify();
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^ok: 6 receipts/);
    expect(result.stdout).toContain('links: 6 HMAC checked, 0 SHA-256 only, 0 HMAC not checked (no key)');
  });

  it("reports a subject's newest receipt (a withdrawal) deleted after the heads were saved", async () => {
    await start();
    const { receipts } = await visitor();
    await visitor();
    expect((await verify(['--save-heads', heads])).code).toBe(0);
    await sql('DELETE FROM receipts WHERE receipt_id = ?', [receipts[2]!.receiptId]);
    // Without a saved head a removed tail is indistinguishable from a chain that was never longer.
    expect((await verify()).code).toBe(0);
    const result = await verify(['--against', heads]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`subject ${receipts[0]!.subjectId}`);
    expect(result.stderr).toContain('newest when the heads were saved');
  });

  it('reports a whole chain deleted behind the collector, but not one erased through it', async () => {
    await start();
    const deleted = await visitor();
    const erased = await visitor();
    await visitor();
    expect((await verify(['--save-heads', heads])).code).toBe(0);
    const response = await fetch(`${base}/subjects/${erased.subjectId}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toEqual({ deleted: 3 });
    expect((await verify(['--against', heads])).code).toBe(0);
    await sql('DELETE FROM receipts WHERE subject_id = ?', [deleted.subjectId]);
    const result = await verify(['--against', heads]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`a whole chain is missing: subject digest ${subjectDigest(deleted.subjectId)}`);
    expect(result.stderr).not.toContain(subjectDigest(erased.subjectId));
  });

  it('accepts chains purged through the collector since the heads were saved', async () => {
    await start();
    await visitor();
    const kept = await visitor(['accept_all']);
    expect((await verify(['--save-heads', heads])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const purge = await fetch(`${base}/purge?olderThanDays=0`, { method: 'POST', headers: admin });
    expect(await purge.json()).toEqual({ purged: 4, before: expect.any(String) });
    expect((await post(base, makeReceipt({ subjectId: kept.subjectId }))).status).toBe(201);
    const result = await verify(['--against', heads]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('reports an erasure entry forged without the key to excuse a deleted chain', async () => {
    await start();
    const victim = await visitor();
    expect((await verify(['--save-heads', heads])).code).toBe(0);
    await sql('DELETE FROM receipts WHERE subject_id = ?', [victim.subjectId]);
    // The forger knows the format, so the SHA-256 (version 1) link is right: only the key is missing.
    const [last] = (await sql('SELECT seq, mac FROM evidence_log ORDER BY seq DESC LIMIT 1')) as {
      seq: number;
      mac: string;
    }[];
    const entry = {
      seq: Number(last!.seq) + 1,
      at: new Date().toISOString(),
      kind: 'erasure',
      detail: { subject: subjectDigest(victim.subjectId), receipts: 3 },
    };
    const mac = linkHash(1, undefined, 'log', last!.mac + canonicalJson(entry));
    await sql('INSERT INTO evidence_log (seq, at, kind, detail, link, prev_mac, mac) VALUES (?, ?, ?, ?, 1, ?, ?)', [
      entry.seq,
      entry.at,
      entry.kind,
      canonicalJson(entry.detail),
      last!.mac,
      mac,
    ]);
    const result = await verify(['--against', heads]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`evidence log entry ${entry.seq}: written without the chain key`);
  });

  it('reports an edit whose SHA-256 was recomputed, as no key is needed for that', async () => {
    await start();
    const { subjectId } = await visitor();
    const rows = await rowsOf(subjectId);
    const newest = rows[2]!;
    // The withdrawal turned back into an acceptance, its hash recomputed the way version 1 links are.
    const body = canonicalJson({ ...JSON.parse(newest.body), method: 'accept_all' });
    const hash = chainHash(newest.prev_hash, { body, receivedAt: newest.received_at, clientIp: newest.client_ip });
    await sql('UPDATE receipts SET body = ?, hash = ? WHERE receipt_id = ?', [body, hash, newest.receipt_id]);
    const asKeyed = await verify();
    expect(asKeyed.code).toBe(1);
    expect(asKeyed.stderr).toContain(`receipt ${newest.receipt_id}: HMAC does not match the stored receipt`);
    // Marking the link as an old SHA-256 one does not help: it comes after the chain was keyed.
    await sql('UPDATE receipts SET link = 1 WHERE receipt_id = ?', [newest.receipt_id]);
    const downgraded = await verify();
    expect(downgraded.code).toBe(1);
    expect(downgraded.stderr).toContain('written without the chain key after the chain was keyed');
  });

  it('reports a forged purge anchor that hides the first receipts of a chain', async () => {
    await start();
    const { subjectId } = await visitor();
    const rows = await rowsOf(subjectId);
    await sql('DELETE FROM receipts WHERE seq IN (?, ?)', [rows[0]!.seq, rows[1]!.seq]);
    await sql('INSERT INTO chain_anchors (subject_id, hash) VALUES (?, ?)', [subjectId, rows[2]!.prev_hash]);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `broken chain: subject ${subjectId}: the purge anchor this chain starts from is not signed`,
    );
  });

  it('reports a previousReceiptId naming no stored receipt, even on chains without a key', async () => {
    await start(null);
    const { subjectId, receipts } = await visitor();
    // Retries out of order and two tabs forking one chain are not tampering.
    const late = makeReceipt({ subjectId, previousReceiptId: receipts[2]!.receiptId });
    const early = makeReceipt({ subjectId, previousReceiptId: late.receiptId });
    const fork = makeReceipt({ subjectId, previousReceiptId: late.receiptId });
    for (const receipt of [early, late, fork]) expect((await post(base, receipt)).status).toBe(201);
    expect((await verify([], null)).code).toBe(0);
    // The middle receipt removed and the next one re-linked: every hash is right again.
    const rows = await rowsOf(subjectId);
    await sql('DELETE FROM receipts WHERE receipt_id = ?', [receipts[1]!.receiptId]);
    const third = rows[2]!;
    const hash = chainHash(rows[0]!.hash, { body: third.body, receivedAt: third.received_at, clientIp: null });
    await sql('UPDATE receipts SET prev_hash = ?, hash = ? WHERE receipt_id = ?', [
      rows[0]!.hash,
      hash,
      third.receipt_id,
    ]);
    // Re-link the rest of the chain too, so only previousReceiptId is left to tell.
    let prev = hash;
    for (const later of rows.slice(3)) {
      const next = chainHash(prev, { body: later.body, receivedAt: later.received_at, clientIp: null });
      await sql('UPDATE receipts SET prev_hash = ?, hash = ? WHERE receipt_id = ?', [prev, next, later.receipt_id]);
      prev = next;
    }
    const result = await verify([], null);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `receipt ${receipts[2]!.receiptId}: previousReceiptId ${receipts[1]!.receiptId} names no stored receipt of this subject`,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('verifies chains written before the key, keys what follows, and refuses a missing or wrong key', async () => {
    await start(null);
    const { subjectId } = await visitor(['accept_all', 'custom']);
    await restart(KEY);
    expect((await post(base, makeReceipt({ subjectId, method: 'withdraw' }))).status).toBe(201);
    const result = await verify();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('links: 1 HMAC checked, 2 SHA-256 only');
    const rows = await rowsOf(subjectId);
    expect(rows.map((row) => Number(row.link))).toEqual([1, 1, 2]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    await stopCli(child!);
    child = undefined;
    await expect(start(null)).rejects.toThrow(/this database has keyed chains/);
    await expect(start(randomBytes(32).toString('hex'))).rejects.toThrow(/not the one this database was keyed with/);
    // Verify without the key still checks what it can, and says what it could not.
    const keyless = await verify([], null);
    expect(keyless.code).toBe(0);
    expect(keyless.stdout).toContain('links: 0 HMAC checked, 2 SHA-256 only, 1 HMAC not checked (no key)');
  });

  it('refuses a heads file edited after it was saved', async () => {
    await start();
    const { subjectId } = await visitor();
    expect((await verify(['--save-heads', heads])).code).toBe(0);
    const saved = JSON.parse(readFileSync(heads, 'utf8')) as { subjects: Record<string, unknown> };
    expect(Object.keys(saved.subjects)).toEqual([subjectDigest(subjectId)]);
    expect(readFileSync(heads, 'utf8')).not.toContain(subjectId);
    // Forgetting a subject in the file would hide its chain's later deletion.
    writeFileSync(heads, JSON.stringify({ ...saved, subjects: {} }));
    const result = await verify(['--against', heads]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the heads file was changed after it was saved');
  });
});
