import { deleteCookies } from './cleanup.js';
import {
  type ConsentConfig,
  type DefaultCategoryId,
  formatProblem,
  type Problem,
  type ResolvedConfig,
  validateConfig,
} from './config.js';
import { type Decision, type Method, ownTrue } from './decision.js';
import { browserEnv, type Env } from './env.js';
import { createEmitter } from './events.js';
import { createGate } from './gate.js';
import { resolveLanguage } from './language.js';
import { createOutbox } from './outbox.js';
import { buildReceipt, type Notice, pageOf, type Receipt } from './receipt.js';
import { createConsentMode, gpcRefuses } from './signals.js';
import { createConsentStore, decodeConsent, encodeConsent, type Stored } from './storage.js';

/** What the UI shows: nothing, the banner, or the preferences dialog. */
export type View = 'none' | 'banner' | 'preferences';

export interface ConsentState {
  decision: Decision | null;
  view: View;
}

export interface ConsentError {
  /**
   * `config`: the configuration is invalid; the SDK stays in the safe state.
   * `receipt`: a receipt was dropped undelivered (refused as invalid, or the outbox was full, too old or unreadable),
   * or `localStorage` could not keep it, so it is lost if the page closes before the endpoint takes it.
   * `ui`: the banner or dialog could not be fetched (offline, HTTP error, integrity mismatch); asking to show retries.
   * `gate`: an allowed gated element could not be activated (Trusted Types blocked it); the others still are.
   */
  code: 'config' | 'receipt' | 'ui' | 'gate';
  message: string;
  problems?: Problem[];
  /** With `receipt`: the dropped receipt, when there is one. */
  receipt?: Receipt;
}

export interface ConsentEvents {
  /** The first decision on this device (or the first since `reset()` or a new policy version). */
  consent: Decision;
  /** Any decision. */
  change: Decision;
  /** The endpoint accepted a receipt (answered 2xx). */
  receipt: Receipt;
  error: ConsentError;
}

/** A UI attached to the controller: told to show when the API asks, removed with it. */
export interface AttachedUI {
  /** Shows what the state asks for, fetching the UI first if needed (again, after a failure). */
  show(): void;
  destroy(): void;
}

/**
 * Attaches a UI to a valid controller. `report` emits an `error` event (and logs it). The core never
 * renders: this is how `@paloma365/consent` brings its Preact UI, only when something must be shown.
 */
export type AttachUI = (consent: Consent, report: (error: ConsentError) => void) => AttachedUI;

/** Choices for `set()`: an optional category left out counts as refused. */
export type Choices<Id extends string = string> = { [K in Id]?: boolean };

/** The controller; `Id` is the category ids of its configuration (any string when they are not known). */
export interface Consent<Id extends string = string> {
  /** The current decision, or `null` while the visitor has not decided. */
  get(): Decision | null;
  /** `true` when the category is allowed; strictly necessary always is. */
  has(category: Id): boolean;
  /** @param notice internal: what the SDK's UI showed, for the receipt; API callers leave it out (`notice: null`). */
  acceptAll(notice?: Notice): void;
  /** @param notice internal, as for `acceptAll`. */
  rejectAll(notice?: Notice): void;
  /**
   * @param notice internal, as for `acceptAll`.
   * @example consent.set({ analytics: true }) // functional refused
   */
  set(choices: Choices<Id>, notice?: Notice): void;
  showBanner(): void;
  showPreferences(): void;
  hide(): void;
  /** Forget the decision and show the banner again. */
  reset(): void;
  /** @returns a function that removes the listener */
  on<K extends keyof ConsentEvents>(event: K, fn: (payload: ConsentEvents[K]) => void): () => void;
  /** For UIs: the decision and what to show, and a way to follow them. */
  state(): ConsentState;
  subscribe(fn: (state: ConsentState) => void): () => void;
  /** The validated configuration; `null` when it was invalid. */
  readonly config: ResolvedConfig | null;
  /** The language the UI speaks (and receipts report). */
  /** The language the UI speaks and receipts report: a built-in one, or one the configuration's `texts` add. */
  readonly language: string;
  /** Stop watching the page (for tests and single-page apps that unmount). */
  destroy(): void;
}

const PREFIX = '[paloma-consent]';
/**
 * Every decision writes the consent cookie's value here (`reset()`: an empty one), so the `storage`
 * event hands it to the site's other tabs: the same `localStorage` the receipts outbox shares tabs
 * through. The value itself, decoded with the cookie's own checks, not a re-read of the cookie:
 * Chromium fires the event before the other tab sees the new cookie about half the time.
 */
const TABS_KEY = 'paloma_consent_tabs';

/**
 * A configuration only known at run time (a JSON block, a CMS) and typed `unknown`: checked when it runs,
 * like every configuration. Only a value typed `unknown` (or `any`) takes this form; an object literal takes
 * the typed one below, so its mistakes fail to compile. (This form comes first so that a literal's error is
 * the typed form's, which names the field.)
 */
export function createConsent<C>(config: unknown extends C ? C : never, env?: Env, attach?: AttachUI): Consent;
/**
 * Creates the consent controller: reads the stored decision, gates scripts,
 * and records decisions. Never throws: an invalid configuration is reported
 * (console and `error` event) and leaves the safe state, where only strictly
 * necessary is allowed and nothing is shown. The category ids of a literal
 * configuration are inferred, so `has('analitycs')` fails to compile.
 *
 * @example
 * const consent = createConsent({ policyVersion: '2024-01-01', endpoint: '/api/consent-receipts' });
 * consent.on('change', (d) => d.categories.analytics && loadAnalytics());
 */
export function createConsent<Id extends string = never>(
  config: ConsentConfig<Id>,
  env?: Env,
  attach?: AttachUI,
): Consent<Id | DefaultCategoryId>;
export function createConsent(input: unknown, env: Env = browserEnv(), attach?: AttachUI): Consent {
  const { document, window, location } = env;
  const warn = (...args: unknown[]) => env.console.warn(PREFIX, ...args);
  const error = (...args: unknown[]) => env.console.error(PREFIX, ...args);
  // A listener that throws must not stop the decision from being kept.
  const report = (thrown: unknown) => error('a listener threw:', thrown);
  const events = createEmitter<ConsentEvents>(report);
  // The state for UIs (`subscribe`), apart from the public events; a broken custom UI is reported the same way.
  const views = createEmitter<{ state: ConsentState }>(report);
  // Listeners are attached after createConsent returns; what happens while it runs is told a tick later.
  const emitSoon = <K extends keyof ConsentEvents>(event: K, payload: ConsentEvents[K]) =>
    Promise.resolve().then(() => events.emit(event, payload));
  const validation = validateConfig(input);

  for (const w of validation.warnings) warn(formatProblem(w));
  if (!validation.ok) {
    const message = `invalid configuration, only strictly necessary cookies are allowed: ${validation.problems.map(formatProblem).join('; ')}`;
    error(message);
    emitSoon('error', { code: 'config', message, problems: validation.problems });
    return safeConsent(events.on, resolveLanguage('auto', document, env.navigator));
  }

  const config = validation.config;
  const language = resolveLanguage(config.language, document, env.navigator, Object.keys(config.texts));
  const store = createConsentStore(config, env);
  const stored = store.read();
  let state: ConsentState = { decision: stored.decision, view: stored.decision ? 'none' : 'banner' };
  let subjectId = stored.subjectId;
  // Chains a subject's receipts; kept with the subject id when `reset()` clears the cookie.
  let lastReceiptId = stored.lastReceiptId;
  const consentMode =
    config.googleConsentMode && window
      ? createConsentMode(window, config.googleConsentMode, (thrown) =>
          error('Google Consent Mode command failed:', thrown),
        )
      : undefined;

  if (!config.endpoint) warn('no endpoint configured: consent receipts are not sent');
  const outbox = config.endpoint
    ? createOutbox(env, config.endpoint, {
        onDelivered: (receipt) => emitSoon('receipt', receipt),
        onDropped(message, receipt) {
          error(message);
          emitSoon('error', { code: 'receipt', message, receipt });
        },
      })
    : undefined;

  // A decision holds every configured category, the required ones allowed.
  const has = (category: string) =>
    state.decision
      ? ownTrue(state.decision.categories, category)
      : config.categories.some((c) => c.id === category && c.required);

  const setState = (next: Partial<ConsentState>) => {
    const previous = state;
    state = { ...state, ...next };
    // Nothing new (showPreferences() with the dialog open): a redraw would undo switches not yet saved.
    if (state.view !== previous.view || state.decision !== previous.decision) views.emit('state', state);
  };

  /** Deletes the cookies of every optional category `categories` does not allow. */
  const clean = (categories: Record<string, boolean>) =>
    location &&
    deleteCookies(
      env.cookies,
      config.categories.flatMap((c) => (c.required || categories[c.id] ? [] : c.cookies)),
      location.hostname,
      store.name,
    );

  /** What a decision does on this page, whichever tab made it. */
  const apply = (decision: Decision, announce = events.emit) => {
    const previous = state.decision;
    setState({ decision, view: 'none' });
    clean(decision.categories);
    consentMode?.update(decision.categories);
    gate?.update();
    if (!previous) announce('consent', decision);
    announce('change', decision);
    document?.dispatchEvent(new CustomEvent('paloma-consent:change', { detail: decision }));
  };

  const forget = () => {
    clean({});
    consentMode?.update({});
    setState({ decision: null, view: 'banner' });
  };

  const tellTabs = (value: string) => {
    try {
      env.storage?.setItem(TABS_KEY, value);
    } catch {} // storage full or blocked: the other tabs follow on their next page load
  };

  /** Records a decision; `custom` becomes `withdraw` when it turns off a category that was on. */
  const decide = (allowed: (category: string) => boolean, method: Method, notice?: Notice, announce = events.emit) => {
    const categories = Object.fromEntries(config.categories.map((c) => [c.id, c.required || allowed(c.id)]));
    const withdrawn = config.categories.some((c) => has(c.id) && !categories[c.id]);
    subjectId ??= env.randomUUID();
    const decision: Decision = {
      subjectId,
      policyVersion: config.policyVersion,
      timestamp: new Date(env.now()).toISOString(),
      method: method === 'custom' && withdrawn ? 'withdraw' : method,
      categories,
    };
    if (outbox) {
      const receipt = buildReceipt(decision, {
        receiptId: env.randomUUID(),
        maxAgeDays: config.cookie.maxAgeDays,
        // Only a notice: `button.onclick = consent.acceptAll` passes an event.
        notice: notice?.id ? notice : null,
        language,
        page: pageOf(location),
        previousReceiptId: lastReceiptId ?? null,
      });
      lastReceiptId = receipt.receiptId;
      // Into the outbox before anything else runs, so no listener or gated script can lose it.
      outbox.add(receipt);
    }
    store.write(decision, lastReceiptId);
    tellTabs(encodeConsent(decision, lastReceiptId));
    apply(decision, announce);
  };

  /** Another tab decided or reset. Its receipt is that tab's to deliver; this one adopts the subject and the chain. */
  const adopt = (stored: Stored) => {
    subjectId = stored.subjectId ?? subjectId;
    lastReceiptId = stored.lastReceiptId ?? lastReceiptId;
    if (stored.decision) apply(stored.decision);
    else forget();
  };
  // The value changed, so the decision is new (a tab's own writes fire nothing in it).
  const follow = ({ key, newValue }: StorageEvent) =>
    key === TABS_KEY && adopt(decodeConsent(newValue || undefined, config, env.now()));
  /**
   * Listening for `storage` makes Chromium open `localStorage` (and `sessionStorage`): milliseconds in the
   * page's first task, measured. So the tabs are followed from the first idle moment, and a decision another
   * tab made since this page read the cookie is taken from the key, open by then (a second cookie read is
   * another round trip to the browser; what the key held before, the cookie had).
   */
  const began = env.now();
  let listening = true;
  const listen = () => {
    if (!listening) return;
    window?.addEventListener('storage', follow);
    let value: string | null | undefined;
    try {
      value = env.storage?.getItem(TABS_KEY);
    } catch {}
    const stored = decodeConsent(value || undefined, config, env.now());
    const { decision } = stored;
    if (decision && Date.parse(decision.timestamp) >= began && decision.timestamp !== state.decision?.timestamp)
      adopt(stored);
  };

  const onOpenClick = (event: Event) => {
    if ((event.target as Element | null)?.closest?.('[data-consent-open]')) {
      event.preventDefault();
      setState({ view: 'preferences' });
    }
  };

  consentMode?.setDefault();
  if (state.decision) consentMode?.update(state.decision.categories);
  const gate =
    document &&
    createGate(document, (categories) => categories.every(has), {
      nonce: config.nonce,
      warn,
      // The placeholders of blocked embeds are the UI's: a page where every embed is allowed never fetches it.
      blocked: () => ui?.show(),
      fail(message) {
        error(message);
        emitSoon('error', { code: 'gate', message });
      },
    });
  gate?.update();
  document?.addEventListener('click', onOpenClick);
  if (window?.requestIdleCallback) window.requestIdleCallback(listen, { timeout: 1000 });
  else listen();

  if (!state.decision && config.respectGpc && gpcRefuses(env.navigator))
    decide(() => false, 'gpc', undefined, emitSoon);
  // Receipts a previous page left waiting go within 2 s; the random delay keeps tabs restored together apart.
  if (outbox) env.setTimeout(outbox.flush, Math.random() * 1000);

  const consent: Consent = {
    get: () => state.decision,
    has,
    acceptAll: (notice) => decide(() => true, 'accept_all', notice),
    rejectAll: (notice) => decide(() => false, 'reject_all', notice),
    set(choices, notice) {
      for (const [key, value] of Object.entries(choices ?? {})) {
        if (typeof value !== 'boolean') warn(`set(): ${key} is ${JSON.stringify(value)}, not true or false: refused`);
      }
      decide((category) => ownTrue(choices, category), 'custom', notice);
    },
    // Asked again while already shown (after a failed fetch, say), the state does not change: show anyway.
    showBanner: () => {
      setState({ view: 'banner' });
      ui?.show();
    },
    showPreferences: () => {
      setState({ view: 'preferences' });
      ui?.show();
    },
    hide: () => setState({ view: 'none' }),
    reset() {
      store.clear();
      forget();
      tellTabs('');
    },
    on: events.on,
    state: () => state,
    subscribe: (fn) => views.on('state', fn),
    config,
    language,
    destroy() {
      ui?.destroy();
      gate?.stop();
      outbox?.stop();
      document?.removeEventListener('click', onOpenClick);
      listening = false;
      window?.removeEventListener('storage', follow);
      views.clear();
    },
  };
  const ui = attach?.(consent, (problem) => {
    error(problem.message);
    events.emit('error', problem);
  });
  return consent;
}

/**
 * The safe state as a controller: only strictly necessary, nothing shown, nothing recorded. What
 * an invalid configuration gets, and what the script-tag global answers before `init`.
 */
export function safeConsent(on: Consent['on'], language: string): Consent {
  const state: ConsentState = { decision: null, view: 'none' };
  const nothing = () => {};
  return {
    get: () => null,
    has: (category) => category === 'necessary',
    acceptAll: nothing,
    rejectAll: nothing,
    set: nothing,
    showBanner: nothing,
    showPreferences: nothing,
    hide: nothing,
    reset: nothing,
    on,
    state: () => state,
    subscribe: () => nothing,
    config: null,
    language,
    destroy: nothing,
  };
}
