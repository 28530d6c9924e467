/**
 * The whole UI's CSS. `all: initial` on the host stops the page's inherited styles at the
 * shadow boundary; custom properties still inherit through it, which is how a site themes it:
 *
 *   #paloma-consent {
 *     --pc-bg: #fff;          background
 *     --pc-fg: #1b1b1b;       text
 *     --pc-accent: #0b57d0;   buttons, switches, links, focus ring
 *     --pc-accent-fg: #fff;   text on the accent
 *     --pc-radius: 8px;
 *     --pc-font: system-ui, sans-serif;
 *     --pc-z: 2147483000;     stacking order of the whole UI
 *   }
 *
 * Set in a `prefers-color-scheme` query of the site's own to theme dark mode too; unset, the
 * colours follow the visitor's light or dark preference, or the `theme` option (`data-theme` on the
 * host: `light` and `dark` pin one, `auto` keeps the media query). The host's rules are `!important`: for the
 * host element a page's rules (`div:empty { display: none }`, `div { visibility: hidden }`) beat
 * normal `:host` ones, but an important declaration from inside the shadow root beats the page's.
 * The host stays in the flow at the end of `<body>`, as tall as the banner (`--pc-room`), so the
 * page can scroll its last links clear of the banner; the UI itself is `position: fixed`. The switch's
 * thumb is a border, not a background, so forced-colors mode keeps it visible.
 *
 * The three buttons share one size: grid columns of `1fr` as wide as the widest label, so no label
 * wraps beside the text on a desktop (ru and kk labels are long); on a narrow screen, and in the
 * box, they stack full width. The banner hides (keeping its layout) while the dialog it opened is up.
 */
export const css = `:host{all:initial!important;display:block!important;height:var(--pc-room,0)!important;--b:var(--pc-bg,#fff);--f:var(--pc-fg,#1b1b1b);--a:var(--pc-accent,#0b57d0);--af:var(--pc-accent-fg,#fff);--r:var(--pc-radius,8px)}
@media(prefers-color-scheme:dark){:host([data-theme=auto]){color-scheme:dark;--b:var(--pc-bg,#222);--f:var(--pc-fg,#eee);--a:var(--pc-accent,#8ab4f8);--af:var(--pc-accent-fg,#000)}}
:host([data-theme=dark]){color-scheme:dark;--b:var(--pc-bg,#222);--f:var(--pc-fg,#eee);--a:var(--pc-accent,#8ab4f8);--af:var(--pc-accent-fg,#000)}
*{box-sizing:border-box;margin:0}
.bn,.dl,.sb,.bk{z-index:var(--pc-z,2147483000)}
.bn,.dl,.sb{position:fixed;bottom:1em;font:15px/1.5 var(--pc-font,system-ui,sans-serif);color:var(--f);background:var(--b);box-shadow:0 2px 12px #0006;border-radius:var(--r);overflow:auto}
.bn{max-height:60vh;padding:1em}
.u{visibility:hidden}
.bar{inset:auto 0 0;border-radius:0}
.box{right:1em;width:24em;max-width:calc(100% - 2em)}
.in{display:flex;flex-wrap:wrap;align-items:center;gap:1em;max-width:80em;margin:auto}
.tx{flex:999 1 20em}
.bs{flex:1 0 auto;display:grid;grid-auto-flow:column;grid-auto-columns:1fr;gap:.5em}
.box .bs{grid-auto-flow:row}
@media(max-width:40em){.bs{grid-auto-flow:row}}
h2{flex:1;font-size:1.2em}
a{color:inherit}
button{font:inherit;font-weight:600;min-height:44px;padding:.5em 1em;border:2px solid var(--a);border-radius:var(--r);background:var(--a);color:var(--af);cursor:pointer}
:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.bk{position:fixed;inset:0;background:#0009}
.dl{inset:0;margin:auto;width:52em;max-width:calc(100% - 1em);height:fit-content;max-height:calc(100% - 1em);padding:1.2em}
.hd,.rw{display:flex;align-items:center;gap:.8em}
.x{min-width:44px;padding:0;font-size:1.5em;background:none;color:var(--f);border:0}
.ct{border-top:1px solid #8885;margin-top:1em;padding-top:.8em}
label{flex:1;font-weight:600}
.ct p,.mt,.rw span,details{font-size:.9em}
summary{cursor:pointer;padding:.2em 0}
ul{padding-left:1.2em}
.mt,.dl .bs{margin-top:1em}
.mt{overflow-wrap:anywhere}
input{flex:none;appearance:none;width:44px;height:26px;border:2px solid #767676;border-radius:13px;background:#767676;color:#fff;cursor:pointer}
input:before{content:"";display:block;width:0;border:9px solid;border-radius:50%;margin:2px}
input:checked{background:var(--a);border-color:var(--a);color:var(--af)}
input:checked:before{transform:translateX(18px)}
input:disabled{opacity:.6}
.sb{left:1em;border-color:var(--a)}
@media(prefers-reduced-motion:no-preference){input:before{transition:transform .15s}}`;

/**
 * A constructable stylesheet where supported (parsed once, no element in the tree), else a
 * `<style>` inside the shadow root: never `style=""`, which a strict CSP blocks.
 */
export function applyStyles(root: ShadowRoot, text = css): void {
  const View = root.ownerDocument.defaultView as (Window & typeof globalThis) | null;
  if (View?.CSSStyleSheet && 'adoptedStyleSheets' in root) {
    try {
      const sheet = new View.CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {}
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = text;
  root.append(style);
}
