import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, createChainChecker, GENESIS_HASH } from '../src/chain.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });
});

describe('chain checker', () => {
  const link = (prevHash: string, receiptId: string, subjectId = 's1') => {
    const body = canonicalJson({ receiptId, subjectId });
    const fields = { body, receivedAt: '2026-01-01T00:00:00.000Z', clientIp: null };
    const hash = chainHash(prevHash, fields);
    return { ...fields, seq: 1, subjectId, receiptId, prevHash, hash, link: 1 as const, anchor: null, anchorMac: null };
  };

  it('accepts chains that start at the genesis hash or at their anchor', () => {
    const a = link(GENESIS_HASH, 'a');
    const b = link(a.hash, 'b');
    const c = { ...link('f'.repeat(64), 'c', 's2'), anchor: 'f'.repeat(64) };
    const checker = createChainChecker();
    for (const row of [a, b, c]) checker.add(row);
    expect(checker.report()).toMatchObject({ ok: true, subjects: 2, receipts: 3, unkeyed: 3, problems: [] });
  });

  it('reports a chain that does not start at the genesis hash (its head was removed)', () => {
    const checker = createChainChecker();
    checker.add(link('a'.repeat(64), 'b'));
    expect(checker.report().problems).toEqual([
      { subjectId: 's1', receiptId: 'b', reason: 'prevHash does not match the previous receipt of this subject' },
    ]);
  });

  it('reports a row whose columns were moved to another subject', () => {
    const checker = createChainChecker();
    checker.add({ ...link(GENESIS_HASH, 'a'), subjectId: 's9' });
    expect(checker.report().problems.map((p) => p.reason)).toEqual([
      'stored body does not match its receiptId/subjectId columns',
    ]);
  });

  it('checks previousReceiptId in whole chains only: after a purge the named receipt may be gone', () => {
    const named = (prevHash: string, receiptId: string, previousReceiptId: string) => {
      const body = canonicalJson({ receiptId, subjectId: 's1', previousReceiptId });
      const fields = { body, receivedAt: '2026-01-01T00:00:00.000Z', clientIp: null };
      return { ...link(prevHash, receiptId), ...fields, hash: chainHash(prevHash, fields) };
    };
    const whole = createChainChecker();
    whole.add(named(GENESIS_HASH, 'b', 'a'));
    expect(whole.report().problems.map((p) => p.reason)).toEqual([
      'previousReceiptId a names no stored receipt of this subject',
    ]);
    const purged = createChainChecker();
    purged.add({ ...named('f'.repeat(64), 'b', 'a'), anchor: 'f'.repeat(64) });
    expect(purged.report()).toMatchObject({ ok: true, problems: [] });
  });

  it('checks HMAC links with the key and counts them as unchecked without it', () => {
    const key = 'k'.repeat(32);
    const fields = { body: canonicalJson({ receiptId: 'a', subjectId: 's1' }), receivedAt: 'x', clientIp: null };
    const row = { ...link(GENESIS_HASH, 'a'), ...fields, hash: chainHash(GENESIS_HASH, fields, key), link: 2 as const };
    const keyed = createChainChecker({ key, keyedAfterSeq: 0 });
    keyed.add(row);
    expect(keyed.report()).toMatchObject({ ok: true, keyed: 1, unchecked: 0 });
    const keyless = createChainChecker();
    keyless.add(row);
    expect(keyless.report()).toMatchObject({ ok: true, keyed: 0, unchecked: 1 });
    const wrong = createChainChecker({ key: 'w'.repeat(32), keyedAfterSeq: 0 });
    wrong.add(row);
    expect(wrong.report().problems.map((p) => p.reason)).toEqual(['HMAC does not match the stored receipt']);
  });
});
