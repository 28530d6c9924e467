import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, networkKey, type TrustProxy, truncateIp } from '../src/net.js';
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

describe('networkKey', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::/48'],
    ['2001:DB8:85A3:ffff::1', '2001:db8:85a3::/48'],
    ['not an address', 'not an address'],
  ])('counts %s under its network', (address, expected) => {
    expect(networkKey(address)).toBe(expected);
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

describe('clientAddress', () => {
  const request = (peer: string, forwarded?: string | string[]) =>
    ({ socket: { remoteAddress: peer }, headers: { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

  it.each<[string, string | string[] | undefined, TrustProxy, string]>([
    ['::ffff:10.0.0.1', '192.0.2.66', false, '10.0.0.1'],
    ['10.0.0.1', '192.0.2.66, 198.51.100.23', true, '198.51.100.23'],
    ['10.0.0.1', ['192.0.2.66', '198.51.100.23'], 1, '198.51.100.23'],
    ['10.0.0.1', undefined, true, '10.0.0.1'],
    ['10.0.0.1', ' , ', true, '10.0.0.1'],
    ['10.0.0.2', '192.0.2.66, 198.51.100.23, 10.0.0.1', 2, '198.51.100.23'],
    ['10.0.0.2', '198.51.100.23', 3, '198.51.100.23'],
    ['10.0.0.2', '192.0.2.66, 198.51.100.23, 10.0.0.1', ['10.0.0.1', '10.0.0.2'], '198.51.100.23'],
    ['10.0.0.2', '192.0.2.66, 10.0.0.1', ['::ffff:10.0.0.1', '10.0.0.2'], '192.0.2.66'],
    ['203.0.113.5', '192.0.2.66', ['10.0.0.1'], '203.0.113.5'],
    ['10.0.0.1', '10.0.0.1', ['10.0.0.1'], '10.0.0.1'],
    ['10.0.0.1', '[2001:DB8::1]:443', true, '2001:db8::1'],
  ])('peer %s, X-Forwarded-For %j, trust %j: %s', (peer, forwarded, trust, expected) => {
    expect(clientAddress(request(peer, forwarded), trust)).toBe(expected);
  });
});
