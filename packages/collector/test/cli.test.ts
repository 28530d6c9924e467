import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Notice } from '@paloma365/consent-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { noticeId } from '../src/notice.js';
import {
  buildOnce,
  type CliProcess,
  cliPath,
  createSqliteDb,
  makeReceipt,
  packageDir,
  post,
  startCli,
  stores,
  type TestDb,
} from './helpers.js';

const run = promisify(execFile);

/** A version 2 receipt on a notice of its own (the test vector's wording under `policyVersion`). */
function onNewNotice(policyVersion: string) {
  const vectors = JSON.parse(readFileSync(join(packageDir, '../core/test-vectors/notice.json'), 'utf8')) as {
    cases: { notice: object }[];
  };
  const body = { ...vectors.cases[1]!.notice, policyVersion };
  const notice = { id: noticeId(body as Notice), ...body };
  return { ...makeReceipt(), version: 2, expiresAt: '2027-05-25T19:00:00.000Z', notice };
}

/** Runs the CLI to completion; a non-zero exit resolves too, with its code. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(() => buildOnce());

describe('the CLI for a new operator', () => {
  let dir: string;
  let db: TestDb | undefined;
  let running: CliProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'collector-cli-'));
  });
  afterEach(async () => {
    await running?.stop();
    await db?.drop();
    running = undefined;
    db = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to verify a database file that does not exist, and creates none', async () => {
    const missing = join(dir, 'typo.sqlite');
    const result = await cli(['verify', '--db', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no database at ${missing}`);
    expect(result.stdout).toBe('');
    expect(existsSync(missing)).toBe(false);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      expect(await cli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('warns at start when browsers cannot post, when the operator routes are off and when the token is short', async () => {
    db = await createSqliteDb();
    running = await startCli(['--db', db.db]);
    // The warnings go to stderr before the listening line.
    expect(running.output()).toMatch(/warning: no --allow-origin, so every POST from a browser .* 403/);
    expect(running.output()).toMatch(/warning: no --admin-token, so the operator routes .* are off/);
    await running.stop();
    running = await startCli(['--db', db.db, '--allow-origin', 'https://paloma365.com', '--admin-token', 'admin']);
    expect(running.output()).toMatch(/warning: the admin token has 5 characters, few enough to guess/);
    await running.stop();
    const token = 'a-long-random-admin-token';
    running = await startCli(['--db', db.db, '--allow-origin', 'https://paloma365.com', '--admin-token', token]);
    expect(running.output()).not.toMatch(/warning/);
  });

  it('re-issues the consent cookie named by --consent-cookie or CONSENT_COLLECTOR_CONSENT_COOKIE', async () => {
    db = await createSqliteDb();
    const v2 = () => ({ ...makeReceipt(), version: 2, expiresAt: '2099-01-01T00:00:00.000Z', notice: null });
    running = await startCli(['--db', db.db]);
    expect((await post(running.url, v2())).headers.get('set-cookie')).toBeNull();
    await running.stop();
    running = await startCli(['--db', db.db, '--consent-cookie', 'paloma_consent']);
    expect((await post(running.url, v2())).headers.get('set-cookie')).toMatch(
      /^paloma_consent=1\..*; Path=\/; SameSite=Lax$/,
    );
    await running.stop();
    running = await startCli(['--db', db.db], {
      CONSENT_COLLECTOR_CONSENT_COOKIE: 'site_consent',
      CONSENT_COLLECTOR_CONSENT_COOKIE_DOMAIN: 'paloma365.com',
    });
    expect((await post(running.url, v2())).headers.get('set-cookie')).toMatch(
      /^site_consent=1\..*; Domain=paloma365.com; /,
    );
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/--consent-cookie NAME/);
    expect(help.stdout).toMatch(/_CONSENT_COOKIE, _CONSENT_COOKIE_DOMAIN/);
    const refused = await cli([
      '--db',
      db.db,
      '--consent-cookie',
      '__Host-c',
      '--consent-cookie-domain',
      'paloma365.com',
    ]);
    expect(refused).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/__Host- consent cookie .* cannot have a Domain/),
    });
  });

  it('takes the trusted proxies from --trusted-proxy, and refuses ambiguous or wrong proxy flags', async () => {
    db = await createSqliteDb();
    running = await startCli(['--db', db.db, '--record-ip', '--trusted-proxy', '127.0.0.1', '--rate-limit', '0']);
    await post(running.url, makeReceipt(), { 'x-forwarded-for': '192.0.2.66, 198.51.100.23' });
    expect(await db.sql('SELECT client_ip FROM receipts')).toEqual([{ client_ip: '198.51.100.0' }]);
    const both = await cli(['--db', db.db, '--trust-proxy', '--trust-proxy-hops', '2']);
    expect(both).toMatchObject({ code: 2, stderr: expect.stringMatching(/only one of --trust-proxy/) });
    const notAnAddress = await cli(['--db', db.db, '--trusted-proxy', 'nginx']);
    expect(notAnAddress).toMatchObject({ code: 2, stderr: expect.stringMatching(/IP addresses, got "nginx"/) });
  });

  it('takes a hop count or proxy addresses from CONSENT_COLLECTOR_TRUST_PROXY', async () => {
    db = await createSqliteDb();
    const forwarded = { 'x-forwarded-for': '192.0.2.66, 198.51.100.23, 10.0.0.1' };
    for (const [value, expected] of [
      ['2', '198.51.100.0'],
      ['127.0.0.1, 10.0.0.1', '198.51.100.0'],
      ['yes', '10.0.0.0'],
      ['no', '127.0.0.0'],
    ]) {
      running = await startCli(['--db', db.db, '--record-ip', '--rate-limit', '0'], {
        CONSENT_COLLECTOR_TRUST_PROXY: value!,
      });
      await db.sql('DELETE FROM receipts');
      await post(running.url, makeReceipt(), forwarded);
      expect(await db.sql('SELECT client_ip FROM receipts'), value).toEqual([{ client_ip: expected }]);
      await running.stop();
      running = undefined;
    }
  });
  it('caps new notices per day from --max-notices-per-day or CONSENT_COLLECTOR_MAX_NOTICES_PER_DAY', async () => {
    db = await createSqliteDb();
    for (const [args, env] of [
      [['--max-notices-per-day', '1'], {}],
      [[], { CONSENT_COLLECTOR_MAX_NOTICES_PER_DAY: '1' }],
    ] as const) {
      running = await startCli(['--db', db.db, ...args], env);
      const tag = Object.keys(env).length ? 'env' : 'flag';
      expect((await post(running.url, onNewNotice(`${tag}-1`))).status).toBe(201);
      expect((await post(running.url, onNewNotice(`${tag}-2`))).status).toBe(429);
      await running.stop();
      await db.sql('DELETE FROM notices');
    }
    running = await startCli(['--db', db.db, '--max-notices-per-day', '0']);
    for (let i = 0; i < 3; i++) expect((await post(running.url, onNewNotice(`off-${i}`))).status).toBe(201);
    const wrong = await cli(['--db', db.db, '--max-notices-per-day', 'many']);
    expect(wrong).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--max-notices-per-day must be a whole number/),
    });
  });
  it('shares new notices per network from --max-notices-per-network or CONSENT_COLLECTOR_MAX_NOTICES_PER_NETWORK', async () => {
    db = await createSqliteDb();
    for (const [args, env] of [
      [['--max-notices-per-network', '1'], {}],
      [[], { CONSENT_COLLECTOR_MAX_NOTICES_PER_NETWORK: '1' }],
    ] as const) {
      running = await startCli(['--db', db.db, ...args], env);
      const tag = Object.keys(env).length ? 'env' : 'flag';
      expect((await post(running.url, onNewNotice(`${tag}-1`))).status).toBe(201);
      const refused = await post(running.url, onNewNotice(`${tag}-2`));
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: string }).error).toMatch(/its share/);
      await running.stop();
      await db.sql('DELETE FROM notices');
    }
    running = await startCli(['--db', db.db, '--max-notices-per-network', '0']);
    for (let i = 0; i < 25; i++) expect((await post(running.url, onNewNotice(`off-${i}`))).status).toBe(201);
    const wrong = await cli(['--db', db.db, '--max-notices-per-network', 'few']);
    expect(wrong).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--max-notices-per-network must be a whole number/),
    });
    expect((await cli(['--help'])).stdout).toMatch(/--max-notices-per-network/);
  });
});

describe.each(stores)('verify on $kind', ({ create }) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('says "1 receipt in 1 chain, 0 problems" and "3 receipts in 2 chains"', async () => {
    const running = await startCli(['--db', db.db, '--rate-limit', '0']);
    try {
      const subjectId = makeReceipt().subjectId;
      await post(running.url, makeReceipt({ subjectId }));
      expect((await cli(['verify', '--db', db.db])).stdout).toBe(
        'ok: 1 receipt in 1 chain, 0 problems\nlinks: 0 HMAC checked, 1 SHA-256 only, 0 HMAC not checked (no key); 0 evidence log entries\n',
      );
      await post(running.url, makeReceipt({ subjectId }));
      await post(running.url, makeReceipt());
      expect((await cli(['verify', '--db', db.db])).stdout).toBe(
        'ok: 3 receipts in 2 chains, 0 problems\nlinks: 0 HMAC checked, 3 SHA-256 only, 0 HMAC not checked (no key); 0 evidence log entries\n',
      );
    } finally {
      await running.stop();
    }
    await db.sql(`UPDATE receipts SET client_ip = '10.0.0.0' WHERE seq = (SELECT min(seq) FROM receipts)`);
    const broken = await cli(['verify', '--db', db.db]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^BROKEN: 3 receipts in 2 chains, 1 problem\nlinks: /);
  });
});
