import type { ComponentChildren } from 'preact';
import type { Ui } from './App.js';

/**
 * Accept and reject side by side, looking and sized like the third button: refusing must be
 * as easy and as visible as accepting (EDPB guidelines 03/2022 on deceptive design).
 */
export function Actions({ ui: { consent, t, notice }, children }: { ui: Ui; children: ComponentChildren }) {
  return (
    <div class="bs">
      <button type="button" onClick={() => consent.acceptAll(notice())}>
        {t('acceptAll')}
      </button>
      <button type="button" onClick={() => consent.rejectAll(notice())}>
        {t('rejectAll')}
      </button>
      {children}
    </div>
  );
}
