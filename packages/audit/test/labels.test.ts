import { describe, expect, it } from 'vitest';
import { builtinTexts } from '../../ui/src/texts/index.js';
import { BUILT_IN_LANGUAGES, LABELS, labelsFor } from '../src/labels.js';

describe('labels', () => {
  it('are the banner’s own built-in labels in every language', () => {
    for (const action of ['acceptAll', 'rejectAll', 'customize'] as const) {
      for (const lang of BUILT_IN_LANGUAGES) {
        expect(LABELS[action][lang], `${action}.${lang}`).toBe(builtinTexts(lang)[action]);
      }
    }
  });
  it('put the configuration’s override and the page language first', () => {
    const texts = { ru: { rejectAll: 'Только необходимые' } };
    expect(labelsFor('rejectAll', 'ru', texts)).toEqual([
      'Только необходимые',
      'Отклонить все',
      'Reject all',
      'Барлығынан бас тарту',
    ]);
    expect(labelsFor('acceptAll', 'kk')[0]).toBe('Барлығын қабылдау');
  });
});
