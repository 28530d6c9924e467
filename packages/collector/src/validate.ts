import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Receipt } from '@paloma365/consent-core';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

/** A version 1 consent receipt as posted by the SDK (design §3.8); the core owns its type and schema. */
export type { Receipt };

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
    if (check(value)) return { ok: true, receipt: value };
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
