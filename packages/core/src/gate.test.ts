import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGate, type Gate, type GateOptions } from './gate.js';
import { settle } from './test-env.js';

/** happy-dom's per-window settings: its fetch interceptor serves the scripts' `src`. */
interface HappyDomWindow {
  happyDOM: {
    settings: {
      fetch: { interceptor: { beforeAsyncRequest(context: { request: Request }): Promise<Response> } | null };
    };
  };
}

/**
 * Holds every script request until the test answers it: `load.get(url)()` delivers a script
 * that records its URL in `window.ran`. Undo with `settings.fetch.interceptor = null`.
 */
function holdRequests() {
  const settings = (window as unknown as HappyDomWindow).happyDOM.settings;
  const load = new Map<string, () => void>();
  settings.fetch.interceptor = {
    beforeAsyncRequest: ({ request }) =>
      new Promise((resolve) =>
        load.set(request.url, () =>
          resolve(
            new Response(`window.ran.push('${request.url}')`, { headers: { 'content-type': 'text/javascript' } }),
          ),
        ),
      ),
  };
  return { load, settings };
}

const allowed = new Set<string>();
let gate: Gate;

/** A sleeping script that records `name` in `window.ran` when it runs. */
const gated = (category: string, name: string, attributes = '') =>
  `<script type="text/plain" data-category="${category}" ${attributes}>window.ran.push('${name}')</script>`;

const start = (html: string, options?: GateOptions) => {
  document.body.innerHTML = html;
  gate = createGate(document, (categories) => categories.every((c) => allowed.has(c)), options);
  return gate.update();
};

const allow = (...categories: string[]) => {
  for (const c of categories) allowed.add(c);
  return gate.update();
};

beforeEach(() => {
  window.ran = [];
  allowed.clear();
});

afterEach(() => {
  gate.stop();
  document.body.innerHTML = '';
});

describe('createGate', () => {
  it('runs nothing before its category is allowed', async () => {
    await start(gated('analytics', 'a') + gated('functional', 'f'));
    await settle();
    expect(window.ran).toEqual([]);
  });

  it('runs a gated script only after its category is allowed', async () => {
    await start(gated('analytics', 'a') + gated('functional', 'f'));
    await allow('analytics');
    expect(window.ran).toEqual(['a']);
  });

  it('runs a script whose category is already allowed at start', async () => {
    allowed.add('analytics');
    await start(gated('analytics', 'a'));
    expect(window.ran).toEqual(['a']);
  });

  it('runs each gated script exactly once, whatever the updates and decisions', async () => {
    await start(gated('analytics', 'a'));
    await allow('analytics');
    await Promise.all([gate.update(), gate.update()]);
    allowed.clear();
    await gate.update();
    await allow('analytics');
    await settle();
    expect(window.ran).toEqual(['a']);
  });

  it('runs gated inline scripts in document order', async () => {
    await start(gated('analytics', '1') + gated('functional', '2') + gated('analytics', '3'));
    await allow('analytics', 'functional');
    expect(window.ran).toEqual(['1', '2', '3']);
  });

  it('needs every category of a multi-category element', async () => {
    await start(gated('analytics functional', 'both'));
    await allow('analytics');
    expect(window.ran).toEqual([]);
    await allow('functional');
    expect(window.ran).toEqual(['both']);
  });

  it('leaves elements with an empty data-category alone', async () => {
    await start(gated(' ', 'none'));
    await allow('analytics', 'functional');
    expect(window.ran).toEqual([]);
  });

  it('runs a gated script inserted later once its category is allowed', async () => {
    await start('');
    allowed.add('analytics');
    document.body.insertAdjacentHTML('beforeend', `<div>${gated('analytics', 'late')}</div>`);
    await settle();
    expect(window.ran).toEqual(['late']);
  });

  it('never runs a gated script inserted later whose category is refused', async () => {
    await start('');
    allowed.add('analytics');
    document.body.insertAdjacentHTML('beforeend', gated('functional', 'refused'));
    await settle();
    expect(window.ran).toEqual([]);
    await allow('functional');
    expect(window.ran).toEqual(['refused']);
  });

  it('stops watching the page when stopped', async () => {
    await start('');
    allowed.add('analytics');
    gate.stop();
    document.body.insertAdjacentHTML('beforeend', gated('analytics', 'late'));
    await settle();
    expect(window.ran).toEqual([]);
  });

  it('loads a gated iframe, by moving data-src to src, only when its category is allowed', async () => {
    const src = 'https://www.youtube-nocookie.com/embed/x';
    await start(`<iframe data-category="functional" data-src="${src}"></iframe>`);
    const iframe = document.querySelector('iframe') as HTMLIFrameElement;
    await allow('analytics');
    expect(iframe.hasAttribute('src')).toBe(false);
    await allow('functional');
    expect(iframe.getAttribute('src')).toBe(src);
  });

  it('loads a gated iframe once, never reloading it on later updates', async () => {
    await start('<iframe data-category="functional" data-src="https://maps.test/a"></iframe>');
    await allow('functional');
    const iframe = document.querySelector('iframe') as HTMLIFrameElement;
    iframe.setAttribute('src', 'https://maps.test/b');
    await gate.update();
    expect(iframe.getAttribute('src')).toBe('https://maps.test/b');
  });

  it('copies every attribute but type to the running script', async () => {
    await start(gated('analytics', 'a', 'id="ga" class="tag" data-x="1" crossorigin="anonymous" async'));
    await allow('analytics');
    const script = document.getElementById('ga') as HTMLScriptElement;
    expect(Object.fromEntries(Array.from(script.attributes, (a) => [a.name, a.value]))).toEqual({
      id: 'ga',
      class: 'tag',
      'data-x': '1',
      'data-category': 'analytics',
      crossorigin: 'anonymous',
      async: '',
    });
    expect(script.text).toBe("window.ran.push('a')");
  });

  it('makes a data-type="module" script a module', async () => {
    await start(gated('analytics', 'm', 'id="m" data-type="module"'));
    await allow('analytics');
    const script = document.getElementById('m') as HTMLScriptElement;
    expect(script.type).toBe('module');
    expect(script.hasAttribute('data-type')).toBe(false);
  });

  it('keeps the nonce, which browsers hide from getAttribute', async () => {
    await start(gated('analytics', 'n', 'id="n"'));
    (document.getElementById('n') as HTMLScriptElement).nonce = 'r4nd0m';
    await allow('analytics');
    expect((document.getElementById('n') as HTMLScriptElement).nonce).toBe('r4nd0m');
  });

  it('downloads external gated scripts together, in order, and runs an inline one only after them', async () => {
    const { load, settings } = holdRequests();
    try {
      const external = (n: number) =>
        `<script type="text/plain" data-type="module" data-category="analytics" src="https://cdn.test/${n}.js"></script>`;
      const inline = `<script type="text/plain" data-category="analytics">window.ran.push('inline')</script>`;
      await start(external(1) + external(2) + inline);
      const done = allow('analytics');
      await settle();
      // Both requested at once; the browser's in-order list (async = false) keeps their execution order.
      expect([...load.keys()]).toEqual(['https://cdn.test/1.js', 'https://cdn.test/2.js']);
      expect(Array.from(document.querySelectorAll('script[src]'), (s) => (s as HTMLScriptElement).async)).toEqual([
        false,
        false,
      ]);
      load.get('https://cdn.test/2.js')?.();
      await settle();
      expect(window.ran).not.toContain('inline');
      load.get('https://cdn.test/1.js')?.();
      await done;
      expect(window.ran.at(-1)).toBe('inline');
    } finally {
      settings.fetch.interceptor = null;
    }
  });

  it('runs a sleeping script whose data-category changes to an allowed category', async () => {
    await start(`<script id="s" type="text/plain" data-category="marketing">window.ran.push('moved')</script>`);
    await allow('analytics');
    expect(window.ran).toEqual([]);
    document.getElementById('s')?.setAttribute('data-category', 'analytics');
    await settle();
    expect(window.ran).toEqual(['moved']);
  });

  it('skips a gated script removed while an earlier one loads, and keeps gating what comes after', async () => {
    // A URL no other test loads: happy-dom keeps a module it has run, and would not fetch it again.
    const { load, settings } = holdRequests();
    try {
      await start(
        `<script type="text/plain" data-type="module" data-category="analytics" src="https://cdn.test/first.js"></script>` +
          `<script type="text/plain" data-category="analytics">window.ran.push('waits')</script>` +
          `<script id="gone" type="text/plain" data-category="analytics" src="https://cdn.test/gone.js"></script>` +
          `<script type="text/plain" data-category="analytics">window.ran.push('after')</script>`,
      );
      const done = allow('analytics');
      await settle();
      document.getElementById('gone')?.remove();
      load.get('https://cdn.test/first.js')?.();
      await done;
      expect(window.ran).toEqual(['https://cdn.test/first.js', 'waits', 'after']);
    } finally {
      settings.fetch.interceptor = null;
    }
  });

  it('does not wait for a script of a type the browser does not run', async () => {
    await start(
      `<script type="text/plain" data-type="text/x-template" data-category="analytics" src="https://cdn.test/t.html"></script>` +
        `<script type="text/plain" data-category="analytics">window.ran.push('inline')</script>`,
    );
    await allow('analytics');
    expect(window.ran).toEqual(['inline']);
  });
});

describe("createGate with the page's nonce", () => {
  const signed = (id: string, nonce: string) => {
    (document.getElementById(id) as HTMLScriptElement).nonce = nonce;
  };

  it('runs only the gated scripts that carry the nonce, and warns once for each other one', async () => {
    const warnings: string[] = [];
    await start(gated('analytics', 'signed', 'id="s"') + gated('analytics', 'forged', 'id="f"'), {
      nonce: 'n0nce',
      warn: (message) => warnings.push(message),
    });
    signed('s', 'n0nce');
    await allow('analytics');
    await allow('analytics');
    expect(window.ran).toEqual(['signed']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("window.ran.push('forged')");
  });

  it('keeps a script signed with another nonce asleep, added later too', async () => {
    await start('', { nonce: 'n0nce' });
    await allow('analytics');
    const late = document.createElement('div');
    late.innerHTML = gated('analytics', 'late', 'id="late"');
    document.body.append(late);
    signed('late', 'other');
    await settle();
    await gate.update();
    expect(window.ran).toEqual([]);
    expect(document.getElementById('late')?.getAttribute('type')).toBe('text/plain');
  });
});

describe('createGate on markup that means the obvious', () => {
  const messages = () => {
    const warned: string[] = [];
    return { warned, options: { warn: (m: string) => warned.push(m) } };
  };

  it('accepts type="text/plain; charset=utf-8", spaces around it and an upper-case category', async () => {
    await start(
      `<script type="text/plain; charset=utf-8" data-category="analytics">window.ran.push('charset')</script>` +
        `<script type=" text/plain " data-category=" ANALYTICS ">window.ran.push('spaces')</script>`,
    );
    await allow('analytics');
    expect(window.ran).toEqual(['charset', 'spaces']);
  });

  it('warns once about a data-category script without type="text/plain", which it cannot stop', async () => {
    const { warned, options } = messages();
    await start(`<script data-category="analytics" id="ungated">window.ran.push('ungated')</script>`, options);
    await allow('analytics');
    await gate.update();
    expect(warned).toEqual([expect.stringContaining('data-category script without type="text/plain" is not gated')]);
    expect(warned[0]).toContain('id="ungated"');
  });

  it('loads every usual embed from its data-* twin, and warns about data-src where it is not handled', async () => {
    const { warned, options } = messages();
    await start(
      '<img data-category="analytics" data-src="https://px.test/p.gif" alt="">' +
        '<video data-category="analytics"><source data-category="analytics" data-src="https://v.test/a.mp4"></video>' +
        '<object data-category="analytics" data-src="https://o.test/a.svg"></object>' +
        '<link data-category="analytics" rel="stylesheet" data-href="https://c.test/a.css">' +
        '<div data-category="analytics" data-src="https://d.test/x"></div>',
      options,
    );
    expect(document.querySelector('img')?.hasAttribute('src')).toBe(false);
    await allow('analytics');
    expect(document.querySelector('img')?.getAttribute('src')).toBe('https://px.test/p.gif');
    expect(document.querySelector('source')?.getAttribute('src')).toBe('https://v.test/a.mp4');
    expect(document.querySelector('object')?.getAttribute('data')).toBe('https://o.test/a.svg');
    expect(document.querySelector('link')?.getAttribute('href')).toBe('https://c.test/a.css');
    expect(document.querySelector('div')?.hasAttribute('src')).toBe(false);
    expect(warned).toEqual([expect.stringContaining('data-src is not handled here: <div')]);
  });

  it('reports an element it cannot activate and goes on with the others', async () => {
    const failed: string[] = [];
    await start(gated('analytics', 'first') + gated('analytics', 'broken', 'id="b"') + gated('analytics', 'last'), {
      fail: (m) => failed.push(m),
    });
    const broken = document.getElementById('b') as HTMLScriptElement;
    Object.defineProperty(broken, 'text', {
      get() {
        throw new TypeError('This document requires TrustedScript assignment');
      },
    });
    await allow('analytics');
    expect(window.ran).toEqual(['first', 'last']);
    expect(failed).toEqual([expect.stringContaining('TrustedScript')]);
  });
});

describe('createGate and placeholders', () => {
  it('reports a pass that met a blocked iframe, but not one opted out, loaded or allowed', async () => {
    let blocked = 0;
    const options = { blocked: () => blocked++ };
    await start(
      `<iframe data-category="functional" data-consent-placeholder="off" data-src="/a"></iframe>
       <iframe data-category="functional" src="/b"></iframe>
       <img data-category="functional" data-src="/c.png" alt="">${gated('analytics', 'x')}`,
      options,
    );
    expect(blocked).toBe(0);
    document.body.insertAdjacentHTML('beforeend', '<iframe data-category="functional" data-src="/d"></iframe>');
    await settle();
    await gate.update();
    expect(blocked).toBeGreaterThan(0);
    blocked = 0;
    await allow('functional');
    expect(blocked).toBe(0);
    expect(document.querySelector('iframe[data-src="/d"]')?.getAttribute('src')).toBe('/d');
  });
});
