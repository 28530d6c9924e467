import { createHash } from 'node:crypto';
import type { Notice } from '@paloma365/consent-core';
import { canonicalJson } from './chain.js';
import type { Receipt } from './validate.js';

/** A notice as stored, once per id: `body` is the canonical JSON its id is the SHA-256 of. */
export interface StoredNotice {
  id: string;
  body: string;
}

/** The canonical JSON of a notice without its id (design of receipt version 2): what `notice.id` hashes. */
export const noticeBody = ({ id: _, ...rest }: Notice): string => canonicalJson(rest);

/** The lower-case hex SHA-256 of the UTF-8 of the notice's canonical JSON. */
export const noticeId = (notice: Notice): string =>
  createHash('sha256').update(noticeBody(notice), 'utf8').digest('hex');

/**
 * Splits a receipt for storage: its body keeps the notice's id in place of the notice (so the chain
 * hash covers the id, and a million receipts on one wording hold one copy of it), and the notice goes
 * to the notices table. Version 1 receipts and `notice: null` have none.
 */
export function splitNotice(receipt: Receipt): { body: string; notice: StoredNotice | undefined } {
  const notice = receipt.version === 2 ? receipt.notice : null;
  if (!notice) return { body: canonicalJson(receipt), notice: undefined };
  return {
    body: canonicalJson({ ...receipt, notice: notice.id }),
    notice: { id: notice.id, body: noticeBody(notice) },
  };
}
