/**
 * Checks receipts against `receipt.schema.json`, the contract shared with the
 * collector, with the validator the collector uses. Test-only: excluded from the build.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import schema from '../receipt.schema.json' with { type: 'json' };

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (
  ajv: Ajv2020,
  formats: string[],
) => void;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv, ['date-time']);
const check = ajv.compile(schema);

/** The schema's complaints about a value, as `path message`; empty when it is a valid receipt. */
export function schemaProblems(value: unknown): string[] {
  return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
