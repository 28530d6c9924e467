import { useEffect, useState } from 'preact/hooks';
import type { CookieEntry, Notice, NoticeSummary } from './api.js';
import { problem, useSession } from './context.js';
import { Alert, Heading } from './ui.js';

/** Every wording stored, newest first-seen first, a page at a time. */
export function Notices() {
  const { t, api, date, number } = useSession();
  const [rows, setRows] = useState<NoticeSummary[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = (before: string | null) => {
    const query = before ? `&before=${encodeURIComponent(before)}` : '';
    api.get<{ notices: NoticeSummary[]; next: string | null }>(`/notices?limit=50${query}`).then(
      (page) => {
        setRows((old) => [...(before ? (old ?? []) : []), ...page.notices]);
        setNext(page.next);
      },
      (e) => setError(problem(t, e)),
    );
  };
  useEffect(() => load(null), []);

  return (
    <section>
      <Heading>{t('noticesTitle')}</Heading>
      <p class="intro">{t('noticesIntro')}</p>
      {error && <Alert>{error}</Alert>}
      {rows === undefined && !error && <p class="muted">{t('loading')}</p>}
      {rows?.length === 0 && <Alert kind="info">{t('noNotices')}</Alert>}
      {rows && rows.length > 0 && (
        <div class="card table-card">
          <table class="notices">
            <thead>
              <tr>
                <th scope="col">{t('firstSeen')}</th>
                <th scope="col">{t('lastSeen')}</th>
                <th scope="col">{t('noticeId')}</th>
                <th scope="col">{t('languageColumn')}</th>
                <th scope="col">{t('policyVersion')}</th>
                <th scope="col" class="num">
                  {t('receipts')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => (
                <tr key={n.id}>
                  <td>
                    <time dateTime={n.firstSeen}>{date(n.firstSeen)}</time>
                  </td>
                  <td>
                    <time dateTime={n.lastSeen}>{date(n.lastSeen)}</time>
                  </td>
                  <td>
                    <a href={`#/notices/${n.id}`}>
                      <code>{n.id.slice(0, 16)}…</code>
                    </a>
                  </td>
                  <td>{n.language}</td>
                  <td>{n.policyVersion}</td>
                  <td class="num">{number(n.receipts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" class="secondary" onClick={() => load(next)}>
          {t('more')}
        </button>
      )}
    </section>
  );
}

/** One notice's full wording: what the visitor read before deciding. */
export function NoticePage({ id }: { id: string }) {
  const session = useSession();
  const { t, api, date, number } = session;
  const cached = session.notices.get(id);
  const [notice, setNotice] = useState<Notice | undefined>(cached);
  const [meta, setMeta] = useState<{ firstSeen: string; receipts: number } | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    api.get<{ firstSeen: string; receipts: number; notice: Notice }>(`/notices/${id}`).then(
      (found) => {
        setNotice(found.notice);
        setMeta(found);
      },
      // A notice that came with a subject's receipts is shown even where the notice route is not reachable.
      (e) => cached || setError(problem(t, e)),
    );
  }, [id]);

  return (
    <section>
      <button type="button" class="link" onClick={() => history.back()}>
        ← {t('back')}
      </button>
      <Heading>{t('noticeTitle')}</Heading>
      {error && <Alert>{error}</Alert>}
      {!notice && !error && <p class="muted">{t('loading')}</p>}
      {notice && (
        <>
          <dl class="card facts">
            <dt>{t('noticeId')}</dt>
            <dd>
              <code class="id">{notice.id}</code>
            </dd>
            <dt>{t('languageColumn')}</dt>
            <dd>{notice.language}</dd>
            <dt>{t('policyVersion')}</dt>
            <dd>{notice.policyVersion}</dd>
            <dt>{t('privacyPolicy')}</dt>
            <dd>{notice.privacyPolicyUrl ?? '—'}</dd>
            <dt>{t('operator')}</dt>
            <dd>
              {notice.operator
                ? [notice.operator.name, notice.operator.id, notice.operator.url].filter(Boolean).join(' · ')
                : '—'}
            </dd>
            {meta && (
              <>
                <dt>{t('firstSeen')}</dt>
                <dd>{date(meta.firstSeen)}</dd>
                <dt>{t('receipts')}</dt>
                <dd>{number(meta.receipts)}</dd>
              </>
            )}
          </dl>
          <h2>{t('categories')}</h2>
          <ul class="categories">
            {notice.categories.map((c) => (
              <li key={c.id} class="card">
                <h3>
                  {c.title} <code class="muted">{c.id}</code>
                  {c.required && <span class="chip chip-on">{t('alwaysOn')}</span>}
                </h3>
                <p>{c.description}</p>
                {c.cookies.length > 0 && (
                  <p class="cookies">
                    <span class="muted">{t('cookies')}:</span> {c.cookies.map(cookieText).join(', ')}
                  </p>
                )}
              </li>
            ))}
          </ul>
          <h2>{t('texts')}</h2>
          <dl class="card texts">
            {Object.entries(notice.texts).map(([key, text]) => (
              <div key={key} class="text-row">
                <dt>
                  <code>{key}</code>
                </dt>
                <dd>{text}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

const cookieText = (cookie: CookieEntry) =>
  typeof cookie === 'string' ? cookie : [cookie.name, cookie.purpose, cookie.lifetime].filter(Boolean).join(' — ');
