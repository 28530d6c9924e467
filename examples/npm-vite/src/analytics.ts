/**
 * A stand-in for an analytics SDK (Google Analytics, Yandex Metrica, …). It lives in its own
 * chunk: `main.ts` imports it dynamically, only once the visitor allows analytics, so nothing
 * here is downloaded, run, or able to set a cookie before consent.
 */
export interface Analytics {
  track(event: string): void;
}

/** `isAllowed` is asked before every event, so a withdrawal stops tracking at once. */
export function startAnalytics(isAllowed: () => boolean): Analytics {
  const track = (event: string) => {
    if (!isAllowed()) return;
    // A real SDK would send a beacon here; the example only logs.
    console.info('[analytics stub]', event, location.pathname);
  };
  track('page_view');
  return { track };
}
