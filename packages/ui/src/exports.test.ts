import { expect, it } from 'vitest';
import * as ui from './index.js';

it('exports exactly the public surface', () => {
  expect(Object.keys(ui).sort()).toEqual(['mountUI']);
});
