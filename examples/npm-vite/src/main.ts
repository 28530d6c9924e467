import { createConsent, type Decision } from '@paloma365/consent';

// The banner mounts at the end of <body>; receipts go to the demo's collector.
const consent = createConsent({
  policyVersion: '2024-01-01',
  endpoint: '/api/consent-receipts',
  privacyPolicyUrl: '/privacy.html',
});

// The app's own button instead of the SDK's floating one: it opens the preferences dialog.
document.querySelector('#cookie-settings')?.addEventListener('click', () => consent.showPreferences());

const analyticsModule = document.querySelector('#analytics-module');
let analytics: Promise<import('./analytics.js').Analytics> | undefined;

/** Loads the analytics chunk once, the first time analytics is allowed (now or later). */
function loadAnalytics() {
  analytics ??= import('./analytics.js').then(({ startAnalytics }) => {
    if (analyticsModule) analyticsModule.textContent = 'loaded';
    return startAnalytics(() => consent.has('analytics'));
  });
  return analytics;
}

function showConsent(decision: Decision | null) {
  const status = document.querySelector('#analytics-consent');
  if (status) status.textContent = decision ? (decision.categories.analytics ? 'allowed' : 'refused') : 'undecided';
}

// A returning visitor who allowed analytics: load it straight away.
if (consent.has('analytics')) void loadAnalytics();
showConsent(consent.get());

// A decision made on this page: accept, reject, or a change in the dialog.
consent.on('change', (decision) => {
  showConsent(decision);
  if (consent.has('analytics')) void loadAnalytics();
});
