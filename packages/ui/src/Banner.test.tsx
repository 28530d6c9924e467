import { afterEach, describe, expect, it, vi } from 'vitest';
import { inside, mount, unmountAll } from './test-helpers.js';

afterEach(() => {
  unmountAll();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.documentElement.removeAttribute('style');
});

const click = (root: ShadowRoot, name: string) => (inside(root).getByRole('button', { name }) as HTMLElement).click();

describe('Banner', () => {
  it('is a labelled region with the text and three buttons', () => {
    const { root } = mount();
    const banner = inside(root).getByRole('region', { name: 'We use cookies' });
    expect(banner.textContent).toContain('You can change your choice at any time.');
    const buttons = inside(banner)
      .getAllByRole('button')
      .map((b) => b.textContent);
    expect(buttons).toEqual(['Accept all', 'Reject all', 'Customize']);
  });

  it('gives its three buttons the same look: reject is as visible as accept', () => {
    const { root } = mount();
    const buttons = inside(root).getAllByRole('button');
    expect(new Set(buttons.map((b) => b.className)).size).toBe(1);
  });

  it('"Accept all" accepts every category', () => {
    const { consent, root } = mount();
    click(root, 'Accept all');
    expect(consent.get()).toMatchObject({ method: 'accept_all', categories: { analytics: true, functional: true } });
    expect(root.children).toHaveLength(0);
  });

  it('"Reject all" refuses every optional category', () => {
    const { consent, root } = mount();
    click(root, 'Reject all');
    expect(consent.get()).toMatchObject({ method: 'reject_all', categories: { analytics: false, functional: false } });
  });

  it('"Customize" opens the preferences and records nothing', () => {
    const { consent, root } = mount();
    click(root, 'Customize');
    expect(consent.state()).toEqual({ decision: null, view: 'preferences' });
  });

  it('links the privacy policy when one is configured', () => {
    const { root } = mount({ privacyPolicyUrl: '/privacy' });
    expect(inside(root).getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe('/privacy');
  });

  it('has no link without a privacy policy', () => {
    expect(inside(mount().root).queryByRole('link')).toBeNull();
  });

  it('is a bottom bar by default and a corner box on request', () => {
    expect(inside(mount().root).getByRole('region').classList.contains('bar')).toBe(true);
    unmountAll();
    expect(
      inside(mount({ layout: 'box' }).root)
        .getByRole('region')
        .classList.contains('box'),
    ).toBe(true);
  });

  it("reserves the page's bottom scroll padding once the banner is laid out, and restores it after", () => {
    document.documentElement.style.scrollPaddingBottom = '10px';
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(700);
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ top: 580 } as DOMRect);
    const layouts: Array<() => void> = [];
    // A ResizeObserver whose calls the test makes, as the browser does after each layout of the banner.
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(private readonly fit: () => void) {}
        observe = () => layouts.push(this.fit);
        disconnect = () => layouts.splice(0);
      },
    );
    const { consent } = mount();
    const host = document.getElementById('paloma-consent') as HTMLElement;
    // Nothing is measured before the browser's own layout: measuring would force one.
    expect(document.documentElement.style.scrollPaddingBottom).toBe('10px');
    for (const fit of layouts) fit();
    expect(document.documentElement.style.scrollPaddingBottom).toBe('120px');
    // The host grows by the banner's height at the end of the page, so the last links can scroll clear.
    expect(host.style.getPropertyValue('--pc-room')).toBe('120px');
    consent.acceptAll();
    expect(document.documentElement.style.scrollPaddingBottom).toBe('10px');
    expect(host.style.getPropertyValue('--pc-room')).toBe('');
  });

  it('reserves the scroll padding at once where there is no ResizeObserver', () => {
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(700);
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ top: 600 } as DOMRect);
    vi.stubGlobal('ResizeObserver', undefined);
    mount();
    expect(document.documentElement.style.scrollPaddingBottom).toBe('100px');
  });
});
