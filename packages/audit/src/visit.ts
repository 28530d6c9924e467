/**
 * One page, three fresh browser contexts: before any decision, after Reject all, after Accept all. Each
 * visit clicks what a visitor would click (the banner's buttons, found by their names in the page's
 * language) and records what the browser then holds and sends.
 */
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import { parseConfig, type RawConfig, type Resolved, resolvePageConfig } from './config.js';
import { type Action, BUILT_IN_LANGUAGES, labelsFor } from './labels.js';
import type {
  BannerCheck,
  Box,
  CookieRecord,
  PageReport,
  RequestRecord,
  SwitchRecord,
  Visit,
  VisitKind,
} from './report.js';
import { sameSite } from './site.js';

export interface PageOptions {
  /** The whole page (its three visits) must be done in this time. @default 60000 */
  timeoutMs?: number;
  /** How long the banner's buttons may take to appear (the UI is loaded lazily). @default 10000 */
  bannerTimeoutMs?: number;
  /** Quiet network time that counts as "done" after a load or a click. @default 500 */
  settleMs?: number;
  /** A configuration from `--config FILE`; otherwise each page's own block is read. */
  config?: RawConfig;
  /** Hosts a request may go to before consent (a CDN serving the SDK, say). */
  allowHosts?: readonly string[];
}

/** What a page yields beyond its report: the same-origin links found on it, for `--crawl`. */
export interface PageResult {
  report: PageReport;
  links: string[];
}

class AuditFailure extends Error {}

const LONG_LIVED_MS = 3000;

/** Requests of one context: all in flight (to know when the page is quiet), and those of the recorded part. */
function watchNetwork(context: BrowserContext) {
  const inflight = new Map<Request, number>();
  const seen: Array<Promise<{ request: Request; cookieSent: boolean }>> = [];
  let recording = false;
  context.on('request', (request) => {
    inflight.set(request, Date.now());
    if (!recording || !/^(https?|wss?):/.test(request.url())) return;
    // The Cookie header arrives with Chromium's extra request info, a little after the request itself.
    const cookie = Promise.race([
      request.headerValue('cookie'),
      new Promise<null>((done) => setTimeout(done, 2000, null).unref()),
    ]);
    seen.push(
      cookie.then(
        (value) => ({ request, cookieSent: !!value }),
        () => ({ request, cookieSent: false }),
      ),
    );
  });
  // A response's headers are enough: Chromium never reports a keepalive fetch (the SDK's receipt) as finished.
  const done = (request: Request) => inflight.delete(request);
  context.on('response', (response) => done(response.request()));
  context.on('requestfinished', done);
  context.on('requestfailed', done);
  return {
    record() {
      recording = true;
    },
    /**
     * Resolves once no request has been in flight for `quietMs` (at most `capMs`). A request pending for
     * longer than `LONG_LIVED_MS` (a long poll, an event stream) does not hold it up.
     */
    async idle(quietMs: number, capMs = 5000) {
      const end = Date.now() + capMs;
      let quietSince = Date.now();
      while (Date.now() < end) {
        const now = Date.now();
        if ([...inflight.values()].some((since) => now - since < LONG_LIVED_MS)) quietSince = now;
        else if (Date.now() - quietSince >= quietMs) return;
        await new Promise((wake) => setTimeout(wake, 50));
      }
    },
    async requests(pageUrl: string): Promise<RequestRecord[]> {
      const page = new URL(pageUrl);
      const all = await Promise.all(seen);
      return all.flatMap(({ request, cookieSent }) => {
        const url = new URL(request.url());
        if (url.origin === page.origin) return [];
        return [
          {
            url: `${url.origin}${url.pathname}`,
            host: url.hostname,
            method: request.method(),
            resourceType: request.resourceType(),
            cookieSent,
            sameSite: sameSite(url.hostname, page.hostname),
          },
        ];
      });
    },
  };
}

async function snapshot(
  context: BrowserContext,
  page: Page,
  kind: VisitKind,
  network: ReturnType<typeof watchNetwork>,
  decidedBy: Visit['decidedBy'],
): Promise<Visit> {
  const pageUrl = page.url();
  const host = new URL(pageUrl).hostname;
  const cookies: CookieRecord[] = (await context.cookies()).map((c) => ({
    name: c.name,
    domain: c.domain,
    path: c.path,
    expires: c.expires > 0 ? new Date(c.expires * 1000).toISOString() : null,
    firstParty: sameSite(c.domain, host),
    httpOnly: c.httpOnly,
    secure: c.secure,
    sameSite: c.sameSite,
  }));
  // Storage of an opaque origin (a sandboxed page) throws: then there is nothing to list.
  const storage = await page
    .evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }))
    .catch(() => ({ local: [], session: [] }));
  return {
    kind,
    at: new Date().toISOString(),
    decidedBy,
    cookies,
    localStorage: storage.local.sort(),
    sessionStorage: storage.session.sort(),
    requests: await network.requests(pageUrl),
  };
}

/** The first visible button in the banner's shadow root whose accessible name is one of `names`. */
async function findButton(scope: Locator, names: string[]): Promise<{ locator: Locator; name: string } | null> {
  for (const name of names) {
    const locator = scope.getByRole('button', { name, exact: true }).filter({ visible: true }).first();
    if ((await locator.count()) > 0) return { locator, name };
  }
  return null;
}

const box = async (locator: Locator | undefined): Promise<Box | null> => {
  const b = locator ? await locator.boundingBox() : null;
  return b ? { width: b.width, height: b.height } : null;
};

const switches = (scope: Locator, firstLayer: boolean): Promise<SwitchRecord[]> =>
  scope
    .locator('input[type=checkbox]')
    .filter({ visible: true })
    .evaluateAll(
      (inputs, first) =>
        (inputs as HTMLInputElement[]).map((input) => ({
          label: (
            input.getAttribute('aria-label') ||
            input.labels?.[0]?.textContent ||
            input.name ||
            input.id ||
            ''
          ).trim(),
          checked: input.checked,
          disabled: input.disabled,
          firstLayer: first,
        })),
      firstLayer,
    );

/** The first layer's buttons, then the preferences dialog's switches (opening it decides nothing). */
async function checkBanner(page: Page, label: (action: Action) => string[]): Promise<BannerCheck> {
  const host = page.locator('#paloma-consent');
  const accept = await findButton(host, label('acceptAll'));
  const reject = await findButton(host, label('rejectAll'));
  const check: BannerCheck = {
    acceptLabel: accept?.name ?? label('acceptAll')[0] ?? null,
    rejectLabel: reject?.name ?? label('rejectAll')[0] ?? null,
    accept: await box(accept?.locator),
    reject: await box(reject?.locator),
    preferencesOpened: false,
    switches: await switches(host, true),
  };
  const customize = await findButton(host, label('customize'));
  if (customize) {
    await customize.locator.click();
    const dialog = host.getByRole('dialog');
    check.preferencesOpened = await dialog.waitFor({ state: 'visible', timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (check.preferencesOpened) check.switches.push(...(await switches(dialog, false)));
  }
  return check;
}

/** `config.language`, else `<html lang>` (its primary subtag, when built in), else English, as the SDK picks it. */
function pageLanguage(resolved: Resolved, htmlLang: string): string {
  if (resolved.language !== 'auto') return resolved.language;
  const primary = htmlLang.toLowerCase().split('-')[0] ?? '';
  return (BUILT_IN_LANGUAGES as readonly string[]).includes(primary) ? primary : 'en';
}

const waitForBanner = (page: Page, timeout: number) =>
  page
    .locator('#paloma-consent button')
    .filter({ visible: true })
    .first()
    .waitFor({ state: 'visible', timeout })
    .then(
      () => true,
      () => false,
    );

async function load(page: Page, url: string) {
  const response = await page.goto(url, { waitUntil: 'load' }).catch((error: Error) => {
    throw new AuditFailure(`unreachable: ${error.message.split('\n')[0]}`);
  });
  if (response && response.status() >= 400) throw new AuditFailure(`HTTP ${response.status()}`);
}

export async function auditPage(browser: Browser, url: string, options: PageOptions = {}): Promise<PageResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bannerTimeoutMs = options.bannerTimeoutMs ?? 10_000;
  const settleMs = options.settleMs ?? 500;
  const started = Date.now();
  const report: PageReport = {
    url,
    title: '',
    language: '',
    durationMs: 0,
    error: null,
    config: null,
    banner: null,
    visits: [],
  };
  let links: string[] = [];
  let open: BrowserContext | undefined;
  let timedOut = false;
  // The page's own time-out: closing its context makes whatever waits on it fail at once.
  const timer = setTimeout(() => {
    timedOut = true;
    void open?.close();
  }, timeoutMs);

  const visit = async (kind: VisitKind, resolved?: Resolved) => {
    const context = await browser.newContext();
    open = context;
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(Math.min(timeoutMs, 30_000));
      const network = watchNetwork(context);
      if (kind === 'before') network.record();
      await load(page, url);
      if (kind === 'before') {
        const found = await readPage(page, url, options);
        links = found.links;
        resolved = found.resolved;
      }
      if (!resolved) throw new Error('visits after the first need the configuration');
      const config = resolved;
      const language = pageLanguage(config, report.language);
      const label = (action: Action) => labelsFor(action, language, config.texts);
      const bannerShown = await waitForBanner(page, bannerTimeoutMs);
      let decidedBy: Visit['decidedBy'] = null;
      if (kind === 'before') {
        report.language = language;
        await network.idle(settleMs);
        report.visits.push(await snapshot(context, page, kind, network, null));
        if (!bannerShown)
          throw new AuditFailure(`no banner found: no button in #paloma-consent within ${bannerTimeoutMs / 1000} s`);
        report.banner = await checkBanner(page, label);
        return resolved;
      }
      const button = bannerShown
        ? await findButton(page.locator('#paloma-consent'), label(kind === 'reject' ? 'rejectAll' : 'acceptAll'))
        : null;
      network.record();
      if (button) {
        await button.locator.click();
        decidedBy = 'button';
      } else if (await decideThroughApi(page, kind)) {
        decidedBy = 'api';
      } else {
        throw new AuditFailure(`could not ${kind} all: no button and no window.PalomaConsent`);
      }
      // What the page does right after the click, then on the next page view with the decision stored.
      await network.idle(settleMs);
      await page.reload({ waitUntil: 'load' });
      await network.idle(settleMs);
      report.visits.push(await snapshot(context, page, kind, network, decidedBy));
      return resolved;
    } finally {
      await context.close();
    }
  };

  // Language is read from the page in the first visit; the two others reuse it.
  const readPage = async (page: Page, pageUrl: string, opts: PageOptions) => {
    const info = await page.evaluate(() => ({
      title: document.title,
      lang: document.documentElement.lang,
      block: document.getElementById('paloma-consent-config')?.textContent ?? null,
      links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
    }));
    report.title = info.title;
    report.language = info.lang;
    let raw: RawConfig = opts.config ?? { source: 'none' };
    const problems: string[] = [];
    if (!opts.config && info.block !== null) {
      const parsed = parseConfig(info.block, 'page');
      if ('error' in parsed) problems.push(parsed.error);
      else raw = parsed;
    }
    const resolved = resolvePageConfig(raw, page.url() || pageUrl, opts.allowHosts);
    resolved.config.problems.unshift(...problems);
    report.config = resolved.config;
    return { resolved, links: info.links };
  };

  try {
    const resolved = await visit('before');
    await visit('reject', resolved);
    await visit('accept', resolved);
  } catch (error) {
    report.error = timedOut
      ? `timed out after ${timeoutMs / 1000} s`
      : error instanceof AuditFailure
        ? error.message
        : `audit failed: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    clearTimeout(timer);
  }
  report.durationMs = Date.now() - started;
  return { report, links };
}

/** The SDK's API, for a banner whose buttons the audit could not find (reported separately). */
const decideThroughApi = (page: Page, kind: VisitKind) =>
  page
    .evaluate(
      (method) => {
        const api = (window as unknown as Record<string, Record<string, unknown> | undefined>).PalomaConsent;
        const fn = api?.[method];
        if (typeof fn !== 'function') return false;
        (fn as () => void).call(api);
        return true;
      },
      kind === 'reject' ? 'rejectAll' : 'acceptAll',
    )
    .catch(() => false);
