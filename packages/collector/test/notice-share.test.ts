import { describe, expect, it } from 'vitest';
import { createNoticeShare } from '../src/notice-share.js';

const DAY = 86_400_000;

describe("each network's share of the new notices, in memory", () => {
  it('counts at most 100,000 networks a day, then refuses networks not yet counted until the day turns', () => {
    let time = Date.parse('2026-08-01T12:00:00.000Z');
    const share = createNoticeShare(2, () => time);
    for (let i = 0; i < 100_000; i++) expect(share.forReceipt(`net-${i}`).admit()).toBe(true);
    const newcomer = share.forReceipt('net-new');
    expect(newcomer.admit()).toBe(false);
    expect(newcomer.refused()).toBe(true);
    // A network already counted keeps the rest of its share.
    expect(share.forReceipt('net-7').admit()).toBe(true);
    expect(share.forReceipt('net-7').admit()).toBe(false);
    time += DAY;
    expect(share.forReceipt('net-new').admit()).toBe(true);
  });

  it('gives a place back only when the receipt did not store a new notice, and only on its own day', () => {
    let time = Date.parse('2026-08-01T23:59:59.000Z');
    const share = createNoticeShare(1, () => time);
    const failed = share.forReceipt('a');
    expect(failed.admit()).toBe(true);
    // A retried write asks again: still the one place.
    expect(failed.admit()).toBe(true);
    failed.settle(false);
    const stored = share.forReceipt('a');
    expect(stored.admit()).toBe(true);
    stored.settle(true);
    expect(share.forReceipt('a').admit()).toBe(false);
    // Held yesterday, settled today: today's count is not touched.
    const late = share.forReceipt('b');
    expect(late.admit()).toBe(true);
    time += 1000;
    expect(share.forReceipt('b').admit()).toBe(true);
    late.settle(false);
    expect(share.forReceipt('b').admit()).toBe(false);
  });
});
