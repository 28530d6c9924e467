import { useConsent } from '@paloma365/consent/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { consent } from './consent.js';

/** What the visitor decided, rendered again on every decision (the banner's buttons included). */
function Status() {
  const { decision, showPreferences, reset } = useConsent(consent);
  return (
    <p>
      <output>{decision ? `Decided (${decision.method}) on ${decision.timestamp}` : 'Not decided yet'}</output>{' '}
      <button type="button" onClick={showPreferences}>
        Cookie settings
      </button>{' '}
      <button type="button" onClick={reset}>
        Forget my choice
      </button>
    </p>
  );
}

/** An embed that loads only once its category is allowed; until then a button allows it in place. */
function OfficeMap() {
  const { has, set, decision } = useConsent(consent);
  if (has('maps')) return <iframe title="Office map" src="https://www.openstreetmap.org/export/embed.html" />;
  const allowMaps = () => set({ ...decision?.categories, maps: true });
  return (
    <button type="button" onClick={allowMaps}>
      Show the map (allows maps cookies)
    </button>
  );
}

createRoot(document.getElementById('app') as HTMLElement).render(
  <StrictMode>
    <main>
      <h1>Paloma Consent from npm, in React</h1>
      <Status />
      <OfficeMap />
    </main>
  </StrictMode>,
);
