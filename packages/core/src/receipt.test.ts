import { describe, expect, it } from 'vitest';
import schema from '../receipt.schema.json' with { type: 'json' };
import vectors from '../test-vectors/notice.json' with { type: 'json' };
import type { Decision, Method } from './decision.js';
import { buildReceipt, type Notice, pageOf } from './receipt.js';
import { schemaProblems } from './test-receipt.js';

const decision = (method: Method = 'accept_all'): Decision => ({
  subjectId: '0b7e4c5a-9d1f-4e2b-8a3c-5d6e7f809a1b',
  policyVersion: '2024-01-01',
  timestamp: '2026-11-24T19:00:00.000Z',
  method,
  categories: { necessary: true, analytics: true, functional: false },
});

const context = {
  receiptId: '6f1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
  language: 'ru' as const,
  page: 'https://paloma365.com/pricing',
  previousReceiptId: null,
  maxAgeDays: 182,
  notice: null,
};

/** The test vector's realistic notice, with the id computed for it. */
const notice = { id: vectors.cases[1]!.sha256, ...vectors.cases[1]!.notice } as unknown as Notice;

describe('buildReceipt', () => {
  it('builds exactly the v2 fields of the contract', () => {
    expect(buildReceipt(decision(), { ...context, notice })).toStrictEqual({
      version: 2,
      receiptId: '6f1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
      subjectId: '0b7e4c5a-9d1f-4e2b-8a3c-5d6e7f809a1b',
      timestamp: '2026-11-24T19:00:00.000Z',
      expiresAt: '2027-05-25T19:00:00.000Z',
      policyVersion: '2024-01-01',
      method: 'accept_all',
      categories: { necessary: true, analytics: true, functional: false },
      language: 'ru',
      page: 'https://paloma365.com/pricing',
      sdkVersion: '0.0.0-test',
      previousReceiptId: null,
      notice,
    });
  });

  it('lapses maxAgeDays after the decision', () => {
    expect(buildReceipt(decision(), { ...context, maxAgeDays: 1 }).expiresAt).toBe('2026-11-25T19:00:00.000Z');
  });

  it('gives a notice the schema accepts, and refuses a malformed one', () => {
    expect(schemaProblems(buildReceipt(decision(), { ...context, notice }))).toEqual([]);
    const bad = (n: object) => schemaProblems(buildReceipt(decision(), { ...context, notice: n as Notice }));
    expect(bad({ ...notice, id: notice.id.toUpperCase() })).not.toEqual([]);
    expect(bad({ ...notice, shownAt: 'x' })).not.toEqual([]);
    expect(bad({ ...notice, privacyPolicyUrl: null })).not.toEqual([]);
    expect(bad({ ...notice, categories: [{ id: 'analytics', title: 'A' }] })).not.toEqual([]);
  });

  it('still accepts version 1, without expiresAt and notice, and nothing else', () => {
    const { expiresAt, notice: _, ...v1 } = buildReceipt(decision(), context);
    expect(schemaProblems({ ...v1, version: 1 })).toEqual([]);
    expect(schemaProblems({ ...v1, version: 1, expiresAt })).not.toEqual([]);
    expect(schemaProblems({ ...v1, version: 2 })).not.toEqual([]);
    expect(schemaProblems({ ...v1, version: 3, expiresAt, notice: null })).not.toEqual([]);
  });

  it('has the same fields the schema requires, and no others', () => {
    expect(Object.keys(buildReceipt(decision(), context)).sort()).toEqual([...schema.$defs.v2.required].sort());
  });

  it.each(['accept_all', 'reject_all', 'custom', 'withdraw', 'gpc'] as const)('builds a valid %s receipt', (method) => {
    const receipt = buildReceipt(decision(method), context);
    expect(receipt.method).toBe(method);
    expect(schemaProblems(receipt)).toEqual([]);
  });

  it('chains to the previous receipt of the subject', () => {
    const receipt = buildReceipt(decision(), { ...context, previousReceiptId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' });
    expect(receipt.previousReceiptId).toBe('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    expect(schemaProblems(receipt)).toEqual([]);
  });

  it('copies the categories, so the receipt does not change with the decision', () => {
    const d = decision();
    const receipt = buildReceipt(d, context);
    d.categories.analytics = false;
    expect(receipt.categories.analytics).toBe(true);
  });

  it('is refused by the schema with an extra field or a wrong value', () => {
    const receipt = buildReceipt(decision(), context);
    expect(schemaProblems({ ...receipt, userAgent: 'Mozilla/5.0' })).not.toEqual([]);
    expect(schemaProblems({ ...receipt, page: 'https://paloma365.com/pricing?email=a@b.kz' })).not.toEqual([]);
    expect(schemaProblems({ ...receipt, categories: { necessary: false } })).not.toEqual([]);
  });
});

describe('pageOf', () => {
  const location = (href: string) => {
    const url = new URL(href);
    return { protocol: url.protocol, hostname: url.hostname, origin: url.origin, pathname: url.pathname };
  };

  it('keeps origin and path, never the query string or fragment', () => {
    expect(pageOf(location('https://paloma365.com/pricing?email=a@b.kz&utm=x#section'))).toBe(
      'https://paloma365.com/pricing',
    );
    expect(pageOf(location('http://localhost:8080/?token=secret'))).toBe('http://localhost:8080/');
  });

  it('gives a page the schema accepts', () => {
    const page = pageOf(location('https://paloma365.com/ru/цены/?q=1'));
    expect(schemaProblems(buildReceipt(decision(), { ...context, page }))).toEqual([]);
  });

  it('cuts a path longer than the schema allows rather than lose the receipt', () => {
    const page = pageOf(location(`https://paloma365.com/${'a'.repeat(3000)}`));
    expect(page).toHaveLength(2048);
    expect(schemaProblems(buildReceipt(decision(), { ...context, page }))).toEqual([]);
  });
});
