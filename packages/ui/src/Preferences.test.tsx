import { fireEvent } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDate } from './Preferences.js';
import { fakeEnv, fakeJar, inside, mount, NOW, SUBJECT, unmountAll } from './test-helpers.js';

afterEach(unmountAll);

/** The controller with its dialog open. */
function open(config: Record<string, unknown> = {}, env = fakeEnv()) {
  const mounted = mount(config, env);
  mounted.consent.showPreferences();
  const ui = inside(mounted.root);
  const dialog = ui.getByRole('dialog');
  const active = () => mounted.root.activeElement;
  return { ...mounted, ui, dialog, active };
}

const switchOf = (ui: ReturnType<typeof inside>, name: string) => ui.getByRole('switch', { name }) as HTMLInputElement;

describe('Preferences', () => {
  it('is a modal dialog labelled by its heading', () => {
    const { dialog, ui } = open();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(ui.getByRole('heading', { name: 'Cookie settings' }).id).toBe(dialog.getAttribute('aria-labelledby'));
  });

  it('has one switch per category, in the configured order, each described', () => {
    const { ui } = open({ categories: { marketing: { title: 'Marketing', description: 'Ads that follow you' } } });
    const switches = ui.getAllByRole('switch') as HTMLInputElement[];
    expect(switches.map((s) => s.type)).toEqual(['checkbox', 'checkbox', 'checkbox', 'checkbox']);
    expect(switches.map((s) => s.id)).toEqual([
      'pc-c-necessary',
      'pc-c-analytics',
      'pc-c-functional',
      'pc-c-marketing',
    ]);
    expect(ui.getByRole('switch', { name: 'Marketing', description: 'Ads that follow you' })).toBeTruthy();
  });

  it("lists a category's declared cookies, collapsed, with purpose and lifetime in the visitor's language", () => {
    const cookies = [
      '_ga_*',
      { name: '_ym_uid', purpose: { en: 'Visitor id', ru: 'Идентификатор посетителя' }, lifetime: { ru: '1 год' } },
      { name: '_ga', lifetime: '2 years' },
    ];
    const { dialog } = open({ language: 'ru', categories: { analytics: { cookies } } });
    const details = dialog.querySelectorAll('details');
    expect(details).toHaveLength(1);
    expect(details[0]?.open).toBe(false);
    expect(details[0]?.closest('.ct')?.querySelector('label')?.textContent).toBe('Аналитические');
    expect(details[0]?.querySelector('summary')?.textContent).toBe('Используемые cookie');
    expect(Array.from(details[0]?.querySelectorAll('li') ?? [], (li) => li.textContent)).toEqual([
      '_ym_uid — Идентификатор посетителя — 1 год',
      '_ga — 2 years',
    ]);
    unmountAll();
    // English, with a lifetime only in Russian: that part is left out rather than shown in another language.
    const en = open({ language: 'en', categories: { analytics: { cookies } } }).dialog;
    expect(Array.from(en.querySelectorAll('li'), (li) => li.textContent)).toEqual([
      '_ym_uid — Visitor id',
      '_ga — 2 years',
    ]);
  });

  it('labels every switch even when a category id matches an id the UI uses itself', () => {
    const { ui, root } = open({ categories: { bt: { title: 'Bee' }, dt: { title: 'Dee' } } });
    const ids = Array.from(root.querySelectorAll('[id]'), (element) => element.id);
    expect(ids.length).toBeGreaterThan(4);
    expect(new Set(ids).size).toBe(ids.length); // a label's `for` must find its own switch
    expect(ui.getByRole('switch', { name: 'Bee' })).toBeTruthy();
    expect(ui.getByRole('switch', { name: 'Dee' })).toBeTruthy();
  });

  it('shows strictly necessary as always on: checked and disabled', () => {
    const { ui, dialog } = open();
    const necessary = switchOf(ui, 'Strictly necessary');
    expect(necessary.checked).toBe(true);
    expect(necessary.disabled).toBe(true);
    expect(dialog.textContent).toContain('Always on');
  });

  it('ticks no optional category on a first visit', () => {
    const { ui } = open();
    expect(switchOf(ui, 'Analytics').checked).toBe(false);
    expect(switchOf(ui, 'Functional').checked).toBe(false);
  });

  it('reflects the stored decision on a later visit', () => {
    const cookies = fakeJar();
    mount({}, fakeEnv(cookies)).consent.set({ functional: true });
    unmountAll();
    const { ui } = open({}, fakeEnv(cookies));
    expect(switchOf(ui, 'Analytics').checked).toBe(false);
    expect(switchOf(ui, 'Functional').checked).toBe(true);
  });

  it('keeps switches the visitor turned but has not saved when the dialog is asked to open again', () => {
    const { ui, consent } = open();
    fireEvent.click(switchOf(ui, 'Analytics'));
    consent.showPreferences(); // a page's own "Cookie settings" button, pressed by code while the dialog is open
    expect(switchOf(ui, 'Analytics').checked).toBe(true);
  });

  it('"Save preferences" records the switches as they are', () => {
    const { ui, consent } = open();
    fireEvent.click(switchOf(ui, 'Analytics'));
    fireEvent.click(ui.getByRole('button', { name: 'Save preferences' }));
    expect(consent.get()).toMatchObject({
      method: 'custom',
      categories: { necessary: true, analytics: true, functional: false },
    });
    expect(consent.state().view).toBe('none');
  });

  it('"Accept all" and "Reject all" work from the dialog too', () => {
    const { dialog, ui, consent } = open();
    // The banner stays under the dialog it opened: ask the dialog for its own buttons.
    fireEvent.click(inside(dialog).getByRole('button', { name: 'Accept all' }));
    expect(consent.get()?.method).toBe('accept_all');
    consent.showPreferences();
    fireEvent.click(inside(ui.getByRole('dialog')).getByRole('button', { name: 'Reject all' }));
    expect(consent.get()?.method).toBe('reject_all');
  });

  it('moves focus into the dialog when it opens', () => {
    const { dialog, active } = open();
    expect(dialog.contains(active())).toBe(true);
  });

  it('traps Tab: from the last control to the first, and Shift+Tab from the first to the last', () => {
    const { ui, dialog, active } = open();
    const close = ui.getByRole('button', { name: 'Close' });
    const save = ui.getByRole('button', { name: 'Save preferences' });
    save.focus();
    fireEvent.keyDown(save, { key: 'Tab' });
    expect(active()).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(active()).toBe(save);
    // In between, Tab is the browser's.
    const analytics = switchOf(ui, 'Analytics');
    analytics.focus();
    expect(fireEvent.keyDown(analytics, { key: 'Tab' })).toBe(true);
    expect(dialog.contains(active())).toBe(true);
  });

  it('Escape before any decision goes back to the banner and returns focus to "Customize"', () => {
    const { consent, root } = mount();
    const customize = inside(root).getByRole('button', { name: 'Customize' });
    customize.focus();
    fireEvent.click(customize);
    const dialog = inside(root).getByRole('dialog');
    expect(root.activeElement).not.toBe(customize);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(consent.state()).toEqual({ decision: null, view: 'banner' });
    expect(inside(root).queryByRole('dialog')).toBeNull();
    expect(root.activeElement).toBe(customize);
  });

  it('Escape after a decision closes the dialog and returns focus to the page element that opened it', () => {
    const link = document.createElement('button');
    document.body.append(link);
    const { consent, root } = mount();
    consent.rejectAll();
    link.focus();
    consent.showPreferences();
    expect(document.activeElement).not.toBe(link);
    fireEvent.keyDown(inside(root).getByRole('dialog'), { key: 'Escape' });
    expect(consent.state().view).toBe('none');
    expect(document.activeElement).toBe(link);
  });

  it('the close button closes like Escape', () => {
    const { ui, consent } = open();
    consent.acceptAll();
    consent.showPreferences();
    fireEvent.click(ui.getByRole('button', { name: 'Close' }));
    expect(consent.state().view).toBe('none');
  });

  it("shows the visitor's consent id and the date of the decision once there is one", () => {
    const { dialog, consent, ui } = open();
    expect(dialog.textContent).not.toContain('Consent ID');
    consent.acceptAll();
    consent.showPreferences();
    const text = ui.getByRole('dialog').textContent;
    expect(text).toContain(`Consent ID: ${SUBJECT}`);
    expect(text).toContain(`Consent date: ${formatDate(new Date(NOW).toISOString(), 'en')}`);
    expect(ui.getByRole('dialog').querySelector('time')?.dateTime).toBe('2026-11-24T19:00:00.000Z');
  });

  it('names the operator with its BIN and a link', () => {
    const { dialog, ui } = open({
      operator: { name: 'LLP "Paloma365"', id: '160940016674', url: 'https://paloma365.com' },
    });
    expect(dialog.textContent).toContain('Data controller: LLP "Paloma365", BIN 160940016674');
    expect(ui.getByRole('link', { name: 'LLP "Paloma365"' }).getAttribute('href')).toBe('https://paloma365.com');
  });

  it('names no operator when none is configured', () => {
    expect(open().dialog.textContent).not.toContain('Data controller');
  });

  it('renders configured texts as text, never as HTML', () => {
    const attack = '<img src=x onerror="window.pwned=1">';
    const { dialog, root } = open({
      categories: { analytics: { title: attack, description: `<b>${attack}</b>` } },
      texts: { en: { dialogIntro: attack } },
    });
    expect(inside(root).getByRole('switch', { name: attack })).toBeTruthy();
    expect(dialog.textContent).toContain(`<b>${attack}</b>`);
    expect(root.querySelector('img, b')).toBeNull();
  });
});
