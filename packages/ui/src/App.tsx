import type { Consent, ConsentState, Notice, ResolvedConfig } from '@paloma365/consent-core';
import { Banner } from './Banner.js';
import type { Translator } from './i18n.js';
import { Preferences } from './Preferences.js';

/** What every component needs: the controller, its config, and the texts. */
export interface Ui extends Translator {
  consent: Consent;
  config: ResolvedConfig;
  /** What this UI shows, for the receipt of a decision made through it (`notice.ts`). */
  notice(): Notice;
}

export interface AppProps {
  ui: Ui;
  state: ConsentState;
  /** The dialog was opened from the banner (or before any decision): closing it goes back there. */
  back: boolean;
}

/** Renders the controller's state. */
export function App({ ui, state: { view, decision }, back }: AppProps) {
  const { consent } = ui;
  // The banner and the settings button stay under the dialog they opened, there to take focus back;
  // the banner hidden, or a second set of the same three buttons would show, dimmed, under the dialog.
  const banner = view === 'banner' || back;
  return (
    <>
      {banner && <Banner ui={ui} under={view === 'preferences'} />}
      {ui.config.settingsButton && decision && !banner && (
        <button type="button" class="sb" onClick={() => consent.showPreferences()}>
          {ui.t('settings')}
        </button>
      )}
      {view === 'preferences' && (
        <Preferences ui={ui} decision={decision} onClose={() => (back ? consent.showBanner() : consent.hide())} />
      )}
    </>
  );
}
