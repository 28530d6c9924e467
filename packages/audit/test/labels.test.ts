import { describe, expect, it } from 'vitest';
import { TEXTS } from '../../ui/src/i18n.js';
import { BUILT_IN_LANGUAGES, LABELS, labelsFor } from '../src/labels.js';

describe('labels', () => {
  it('are the banner’s own built-in labels in every language', () => {
    for (const action of ['acceptAll', 'rejectAll', 'customize'] as const) {
      BUILT_IN_LANGUAGES.forEach((lang, i) => {
        expect(LABELS[action][lang], `${action}.${lang}`).toBe(TEXTS[action][i]);
      });
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
