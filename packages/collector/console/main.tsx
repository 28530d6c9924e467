/**
 * The operator console: a single page served by the collector at `/admin/`. It signs in with the
 * admin token, kept in this tab's sessionStorage only (never a cookie, so no request carries it
 * unless the console adds it; never a URL, so it reaches no log or history).
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api.js';
import { formatters, type Session, SessionContext } from './context.js';
import { defaultLanguage, LANGUAGE_NAMES, LANGUAGES, type Language, translator } from './i18n.js';
import { NoticePage, Notices } from './notices.js';
import { Retention } from './retention.js';
import { Search } from './search.js';
import { SignIn } from './sign-in.js';
import { Stats } from './stats.js';
import { Subject } from './subject.js';

const TOKEN_KEY = 'paloma-console-token';
const LANGUAGE_KEY = 'paloma-console-language';

type Route =
  | { page: 'search' }
  | { page: 'notices' }
  | { page: 'notice'; id: string }
  | { page: 'subject'; id: string; receipt?: string | undefined }
  | { page: 'retention' }
  | { page: 'stats' };

/** `#/subjects/<id>?receipt=<id>` and the like; anything unknown is the search page. */
function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'subjects' && parts[1]) {
    return { page: 'subject', id: parts[1], receipt: new URLSearchParams(query).get('receipt') ?? undefined };
  }
  if (parts[0] === 'notices') return parts[1] ? { page: 'notice', id: parts[1] } : { page: 'notices' };
  if (parts[0] === 'retention') return { page: 'retention' };
  if (parts[0] === 'stats') return { page: 'stats' };
  return { page: 'search' };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

const NAV = [
  ['search', '#/search', 'navSearch'],
  ['notices', '#/notices', 'navNotices'],
  ['retention', '#/retention', 'navRetention'],
  ['stats', '#/stats', 'navStats'],
] as const;

function App() {
  const [language, setLanguage] = useState<Language>(() => {
    const saved = localStorage.getItem(LANGUAGE_KEY) as Language | null;
    return saved && LANGUAGES.includes(saved) ? saved : defaultLanguage(navigator.languages ?? [navigator.language]);
  });
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY));
  const [signInNotice, setSignInNotice] = useState('');
  const hash = useHash();
  const route = parseRoute(hash);
  const t = useMemo(() => translator(language), [language]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${t('consoleName')} · ${t('product')}`;
  }, [language]);

  const signOut = (notice = '') => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSignInNotice(notice);
    setToken(null);
  };
  const session = useMemo<Session | undefined>(
    () =>
      token
        ? {
            t,
            language,
            api: createApi(token, () => signOut(t('sessionEnded'))),
            notices: new Map(),
            ...formatters(language),
          }
        : undefined,
    [token, language],
  );

  const picker = (
    <label class="language">
      <span class="visually-hidden">{t('language')}</span>
      <select
        value={language}
        onChange={(e) => {
          const next = e.currentTarget.value as Language;
          localStorage.setItem(LANGUAGE_KEY, next);
          setLanguage(next);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );

  if (!session) {
    return (
      <>
        <header class="topbar topbar-plain">{picker}</header>
        <SignIn
          t={t}
          notice={signInNotice}
          onSignedIn={(value) => {
            sessionStorage.setItem(TOKEN_KEY, value);
            setSignInNotice('');
            setToken(value);
          }}
        />
      </>
    );
  }

  const go = (next: string) => {
    location.hash = next;
  };
  const current = route.page === 'subject' ? 'search' : route.page === 'notice' ? 'notices' : route.page;
  return (
    <SessionContext.Provider value={session}>
      <header class="topbar">
        <p class="brand">
          <span class="brand-mark" aria-hidden="true" />
          {t('product')} <span class="brand-sub">{t('consoleName')}</span>
        </p>
        <nav aria-label={t('consoleName')}>
          <ul>
            {NAV.map(([page, href, label]) => (
              <li key={page}>
                <a href={href} aria-current={current === page ? 'page' : undefined}>
                  {t(label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="topbar-end">
          {picker}
          <button type="button" class="ghost" onClick={() => signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main class="content">
        {route.page === 'search' && <Search go={go} />}
        {route.page === 'subject' && <Subject key={route.id} id={route.id} highlight={route.receipt} />}
        {route.page === 'notices' && <Notices />}
        {route.page === 'notice' && <NoticePage key={route.id} id={route.id} />}
        {route.page === 'retention' && <Retention />}
        {route.page === 'stats' && <Stats />}
      </main>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('console')!);
