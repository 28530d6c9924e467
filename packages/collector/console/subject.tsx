import { useEffect, useState } from 'preact/hooks';
import type { Chain, StoredReceipt } from './api.js';
import { problem, useSession } from './context.js';
import { Alert, Categories, Heading } from './ui.js';

/** A visitor's receipts oldest first, the chain check, and the two answers to a request: export, erase. */
export function Subject({ id, highlight }: { id: string; highlight?: string | undefined }) {
  const session = useSession();
  const { t, api, dateTime } = session;
  const [receipts, setReceipts] = useState<StoredReceipt[] | undefined>();
  const [chain, setChain] = useState<Chain | 'unknown' | undefined>();
  const [error, setError] = useState('');
  const [erased, setErased] = useState<number | undefined>();

  useEffect(() => {
    api.get<StoredReceipt[]>(`/subjects/${id}/receipts`).then(
      (list) => {
        for (const receipt of list) if (receipt.notice) session.notices.set(receipt.notice.id, receipt.notice);
        setReceipts(list);
      },
      (e) => setError(problem(t, e)),
    );
    api.get<Chain>(`/subjects/${id}/chain`).then(setChain, () => setChain('unknown'));
  }, [id]);

  return (
    <section>
      <Heading>
        {t('subjectTitle')} <code class="id">{id}</code>
      </Heading>
      {error && <Alert>{error}</Alert>}
      {erased !== undefined && <Alert kind="success">{t('erased', { count: erased, id })}</Alert>}
      {receipts === undefined && !error && <p class="muted">{t('loading')}</p>}
      {receipts && receipts.length > 0 && (
        <>
          <div class="toolbar">
            <p class="muted">{t('receiptsCount', { count: receipts.length })}</p>
            <ChainStatus chain={chain} />
            <ExportButton id={id} />
          </div>
          <div class="card table-card">
            <table class="timeline">
              <caption>{t('timeline')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('when')}</th>
                  <th scope="col">{t('method')}</th>
                  <th scope="col">{t('categories')}</th>
                  <th scope="col">{t('page')}</th>
                  <th scope="col">{t('languageColumn')}</th>
                  <th scope="col">{t('expires')}</th>
                  <th scope="col">{t('noticeColumn')}</th>
                </tr>
              </thead>
              <tbody>
                {receipts.map((r) => (
                  <tr
                    key={r.receiptId}
                    class={r.receiptId === highlight ? 'highlight' : undefined}
                    data-receipt={r.receiptId}
                  >
                    <td>
                      <time dateTime={r.receivedAt}>{dateTime(r.receivedAt)}</time>
                      <span class="sub" title={t('receiptId', { id: r.receiptId })}>
                        {r.receiptId}
                      </span>
                    </td>
                    <td>
                      <span class={`method method-${r.method}`}>{t(r.method)}</span>
                    </td>
                    <td>
                      <Categories categories={r.categories} allowed={t('allowed')} refused={t('refused')} />
                    </td>
                    <td class="page">{r.page}</td>
                    <td>{r.language}</td>
                    <td>{r.expiresAt ? <time dateTime={r.expiresAt}>{session.date(r.expiresAt)}</time> : '—'}</td>
                    <td>
                      {r.notice ? (
                        <a
                          href={`#/notices/${r.notice.id}`}
                          aria-label={`${t('openNotice')} ${r.notice.id.slice(0, 12)}`}
                        >
                          {t('openNotice')}
                        </a>
                      ) : (
                        <span class="muted">{t('noNotice')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Erase
            id={id}
            onErased={(count) => {
              setErased(count);
              setReceipts([]);
              setChain(undefined);
            }}
          />
        </>
      )}
      {receipts && receipts.length === 0 && erased === undefined && (
        <Alert kind="info">{t('nothingFound', { id })}</Alert>
      )}
    </section>
  );
}

function ChainStatus({ chain }: { chain: Chain | 'unknown' | undefined }) {
  const { t } = useSession();
  if (chain === undefined) return null;
  if (chain === 'unknown') return <p class="status status-unknown">{t('chainUnknown')}</p>;
  if (chain.ok) return <p class="status status-ok">{t('chainOk', { count: chain.receipts })}</p>;
  return (
    <div class="status status-bad" role="alert">
      <p>{t('chainBroken')}</p>
      <ul>
        {chain.problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

/** The portability document, fetched with the token (a plain link could not send it) and saved from memory. */
function ExportButton({ id }: { id: string }) {
  const { t, api } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function download() {
    setBusy(true);
    setError('');
    try {
      const blob = await (await api.raw(`/subjects/${id}/export`)).blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `consent-${id}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (e) {
      setError(problem(t, e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" class="secondary" onClick={download} disabled={busy}>
        {busy ? t('exporting') : t('export')}
      </button>
      {error && <Alert>{error}</Alert>}
    </>
  );
}

/** Erasure cannot be undone, so the button works only once the id has been typed out in full. */
function Erase({ id, onErased }: { id: string; onErased: (count: number) => void }) {
  const { t, api } = useSession();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function erase(event: Event) {
    event.preventDefault();
    if (typed.trim().toLowerCase() !== id) return;
    setBusy(true);
    setError('');
    try {
      const { deleted } = await api.send<{ deleted: number }>('DELETE', `/subjects/${id}`);
      onErased(deleted);
    } catch (e) {
      setError(problem(t, e));
      setBusy(false);
    }
  }
  return (
    <form class="card danger" onSubmit={erase} noValidate>
      <h2>{t('erase')}</h2>
      <p>{t('eraseWarning')}</p>
      <label for="erase-id">{t('eraseConfirm')}</label>
      <div class="row">
        <input
          id="erase-id"
          value={typed}
          spellcheck={false}
          autocomplete="off"
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit" class="destructive" disabled={busy || typed.trim().toLowerCase() !== id}>
          {t('eraseButton')}
        </button>
      </div>
      {error && <Alert>{error}</Alert>}
    </form>
  );
}
