/**
 * The placeholders' CSS, in a shadow root of their own on each (`<paloma-placeholder>`, right before
 * its iframe). `all: initial` stops what the iframe's parent would pass on; the geometry is the host's
 * inline style, set through CSSOM (which a strict CSP allows, unlike a `style=""` attribute). The same
 * custom properties as the banner theme it, set on `paloma-placeholder` or any ancestor, `:root` say.
 */
export const placeholderCss = `:host{all:initial;--b:var(--pc-bg,#f2f2f2);--f:var(--pc-fg,#1b1b1b);--a:var(--pc-accent,#0b57d0);--af:var(--pc-accent-fg,#fff);--r:var(--pc-radius,8px)}
@media(prefers-color-scheme:dark){:host([data-theme=auto]){--b:var(--pc-bg,#222);--f:var(--pc-fg,#eee);--a:var(--pc-accent,#8ab4f8);--af:var(--pc-accent-fg,#000)}}
:host([data-theme=dark]){--b:var(--pc-bg,#222);--f:var(--pc-fg,#eee);--a:var(--pc-accent,#8ab4f8);--af:var(--pc-accent-fg,#000)}
*{box-sizing:border-box;margin:0}
.ph{display:flex;flex-direction:column;justify-content:center;align-items:center;gap:.6em;width:100%;height:100%;overflow:auto;padding:1em;text-align:center;font:15px/1.5 var(--pc-font,system-ui,sans-serif);color:var(--f);background:var(--b);border:1px solid;border-radius:var(--r);min-width:0}
.nm{font-weight:600;overflow-wrap:anywhere}
.ac{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;gap:.6em 1.2em}
a{color:inherit}
button{font:inherit;font-weight:600;min-height:44px;padding:.5em 1em;border:2px solid var(--a);border-radius:var(--r);background:var(--a);color:var(--af);cursor:pointer}
:focus-visible{outline:3px solid var(--a);outline-offset:2px}`;
