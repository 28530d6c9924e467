import { describe, expect, it } from 'vitest';
import { truncateIp } from '../src/net.js';
import { createRateLimiter } from '../src/rate-limit.js';

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['::ffff:203.0.113.77', '203.0.113.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['not an address', null],
  ])('keeps the network part of %s', (address, expected) => {
    expect(truncateIp(address)).toBe(expected);
  });
});

describe('rate limiter', () => {
  it('allows max requests per address per window, then says when to retry', () => {
    let time = 60_000 * 10 + 15_000;
    const limit = createRateLimiter({ max: 2, windowMs: 60_000 }, () => time);
    expect(limit('a')).toEqual({ allowed: true });
    expect(limit('a')).toEqual({ allowed: true });
    expect(limit('b')).toEqual({ allowed: true });
    expect(limit('a')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    time += 45_000;
    expect(limit('a')).toEqual({ allowed: true });
  });
});
