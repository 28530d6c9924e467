/*
 * Local stand-in for an online support-chat widget (a functional-cookie tool): records that it
 * ran on `window.__ran` and remembers the visitor in a cookie.
 */
(() => {
  window.__ran = window.__ran || [];
  window.__ran.push('chat');
  // biome-ignore lint/suspicious/noDocumentCookie: a stand-in sets its cookies the way the real tag does
  document.cookie = `chat_visitor=${Math.floor(Math.random() * 1e9)}; path=/; max-age=${30 * 86400}; SameSite=Lax`;
})();
