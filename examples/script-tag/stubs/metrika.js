/*
 * Local stand-in for https://mc.yandex.ru/metrika/tag.js: records that it ran on `window.__ran`,
 * defines `ym`, and sets the first-party cookies Yandex Metrica sets, on the widest domain the
 * browser accepts.
 */
(() => {
  window.__ran = window.__ran || [];
  window.__ran.push('metrika');

  const setCookie = (name, value) => {
    const labels = location.hostname.split('.');
    const attributes = `; path=/; max-age=${365 * 86400}; SameSite=Lax`;
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
  setCookie('_ym_uid', `${now}${Math.floor(Math.random() * 1e9)}`);
  setCookie('_ym_d', String(now));

  window.ym =
    window.ym ||
    function ym(...args) {
      window.ym.a = window.ym.a || [];
      window.ym.a.push(args);
    };
})();
