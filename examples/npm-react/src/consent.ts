import { createConsent } from '@paloma365/consent';

/** One controller for the whole app, created once, outside React: it shows the banner itself. */
export const consent = createConsent({
  policyVersion: '2024-01-01',
  endpoint: '/api/consent-receipts',
  categories: { maps: { title: { en: 'Maps', ru: 'Карты', kk: 'Карталар' } } },
});
