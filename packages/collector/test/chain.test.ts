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
});
