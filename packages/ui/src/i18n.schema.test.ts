import { expect, it } from 'vitest';
import schema from '../../core/config.schema.json' with { type: 'json' };
import { en } from './texts/en.js';

it("offers every UI text in config.schema.json's texts, so an editor completes each key", () => {
  expect(Object.keys(schema.$defs.texts.properties).sort()).toEqual(Object.keys(en).sort());
});
