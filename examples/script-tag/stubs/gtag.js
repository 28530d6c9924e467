/*
 * Local stand-in for https://www.googletagmanager.com/gtag/js (the example and the tests make no
 * external requests). It records that it ran on `window.__ran` and sets the cookies Google
 * Analytics 4 sets, on the widest domain the browser accepts, as `cookie_domain: 'auto'` does.
 */
(() => {
  window.__ran = window.__ran || [];
  window.__ran.push('gtag');

  const setCookie = (name, value) => {
    const labels = location.hostname.split('.');
    const attributes = `; path=/; max-age=${2 * 365 * 86400}; SameSite=Lax`;
    if (!/^[\d.]+$/.test(location.hostname)) {
      for (let i = labels.length - 2; i >= 0; i--) {
        // biome-ignore lint/suspicious/noDocumentCookie: a stand-in sets its cookies the way the real tag does
        document.cookie = `${name}=${value}${attributes}; domain=${labels.slice(i).join('.')}`;
        if (document.cookie.split('; ').some((c) => c.startsWith(`${name}=`))) return;
      }
    }
    // biome-ignore lint/suspicious/noDocumentCookie: a stand-in sets its cookies the way the real tag does
    document.cookie = `${name}=${value}${attributes}`;
  };

  const now = Math.floor(Date.now() / 1000);
  const clientId = `${Math.floor(Math.random() * 2 ** 31)}.${now}`;
  setCookie('_ga', `GA1.1.${clientId}`);
  setCookie('_ga_P365DEMO', `GS1.1.${now}.1.0.${now}.0.0.0`);

  window.dataLayer = window.dataLayer || [];
  window.gtag =
    window.gtag ||
    function gtag() {
      // biome-ignore lint/complexity/noArguments: gtag.js reads Arguments objects from dataLayer
      window.dataLayer.push(arguments);
    };
})();
