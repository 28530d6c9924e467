import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Receipt as ReceiptV2 } from '@paloma365/consent-core';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { noticeId } from './notice.js';

/** A version 1 receipt: what SDKs before receipts v2 posted, still accepted. */
export type ReceiptV1 = Omit<ReceiptV2, 'version' | 'expiresAt' | 'notice'> & { version: 1 };
/** A consent receipt as posted by the SDK, version 2 or 1; the core owns the type and the schema. */
export type Receipt = ReceiptV2 | ReceiptV1;
export type { ReceiptV2 };

export type Validation = { ok: true; receipt: Receipt } | { ok: false; problems: string[] };

// Ajv and ajv-formats are CommonJS that set both `module.exports` and `exports.default`;
// from ESM under NodeNext the default import is `module.exports`, so take `.default`.
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;

/**
 * The receipt schema lives in the core package and is the single source of truth;
 * it is resolved through the core's exports map, so an installed collector reads the
 * schema of the core version it depends on.
 */
export function loadReceiptSchema(): object {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@paloma365/consent-core/receipt.schema.json');
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

/**
 * Compiles the receipt schema once and returns a validator that never throws:
 * problems come back as `path: message` strings for the error answer.
 */
export function createReceiptValidator(schema: object = loadReceiptSchema()): (value: unknown) => Validation {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv, ['date-time']);
  const check = ajv.compile<Receipt>(schema);
  return (value) => {
    if (check(value)) {
      const problems = receiptRules(value);
      return problems.length === 0 ? { ok: true, receipt: value } : { ok: false, problems };
    }
    const problems = (check.errors ?? []).map((error) => {
      const where = error.instancePath || '/';
      const extra =
        error.keyword === 'additionalProperties'
          ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
          : '';
      return `${where}: ${error.message ?? error.keyword}${extra}`;
    });
    return { ok: false, problems };
  };
}

/** Earliest and latest receipt time believed: before the SDK existed, or past any clock error. */
const EARLIEST = Date.UTC(2020, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/**
 * Rules the JSON schema cannot say. A time that cannot have been a real clock's reading is
 * refused, but nothing is compared with the server's clock: a visitor's clock may be off by
 * days and an outbox may deliver a month late, and a refused receipt is dropped for good.
 */
function receiptRules(receipt: Receipt): string[] {
  const problems: string[] = [];
  const time = parseInstant(receipt.timestamp);
  if (time === undefined) problems.push('/timestamp: is not a real date and time (a leap second, or 30 February)');
  else if (time < EARLIEST || time >= LATEST) problems.push('/timestamp: must be from 2020 up to 2100');
  // The schema's pattern lets `https://user:pass@host/` through; credentials are not a page.
  const authority = /^https?:\/\/([^/]*)/.exec(receipt.page)?.[1] ?? '';
  if (authority.includes('@')) problems.push('/page: must not contain a user name or password');
  else if (!URL.canParse(receipt.page)) problems.push('/page: is not a valid URL');
  if (receipt.version === 2) {
    const expires = parseInstant(receipt.expiresAt);
    if (expires === undefined) problems.push('/expiresAt: is not a real date and time');
    else if (time !== undefined && expires < time) problems.push('/expiresAt: is before /timestamp');
    // An id is only evidence of a wording if it is the wording's hash: anything else would let a
    // receipt point at a notice it was never given on.
    const notice = receipt.notice;
    if (notice && noticeId(notice) !== notice.id) {
      problems.push(`/notice/id: is not the SHA-256 of the notice's canonical JSON (that is ${noticeId(notice)})`);
    }
  }
  return problems;
}

/**
 * Milliseconds since the epoch of a whole ISO 8601 date (`2026-11-24`, midnight UTC) or
 * date-time with seconds optional and a `Z` or `±hh:mm` offset, or undefined for anything
 * else: a partial or local time, a leap second, a day the month does not have.
 */
export function parseInstant(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i.exec(
    text,
  );
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const realDay = date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1;
  if (!realDay || date.getUTCDate() !== Number(day)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const [sign, offsetHours, offsetMinutes] = /^([+-])(\d{2}):(\d{2})$/.exec(zone)?.slice(1) ?? ['+', '0', '0'];
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const millis = Math.floor(Number(`0${fraction || '.0'}`) * 1000);
  return date.getTime() + (Number(hour) * 3600 + Number(minute) * 60 + Number(second)) * 1000 + millis - offset;
}
