import { useState } from 'preact/hooks';
import { isApiError, type StoredReceipt, UUID } from './api.js';
import { problem, useSession } from './context.js';
import { Alert, Heading } from './ui.js';

/** One box: a consent id (the subject id the visitor's dialog shows) first, else a receipt id. */
export function Search({ go }: { go: (hash: string) => void }) {
  const { t, api } = useSession();
  const [query, setQuery] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const id = query.trim().toLowerCase();
    setError('');
    if (!UUID.test(id)) return setError(t('notUuid'));
    setBusy(true);
    try {
      const receipts = await api.get<StoredReceipt[]>(`/subjects/${id}/receipts`);
      if (receipts.length) return go(`#/subjects/${id}`);
      try {
        const found = await api.get<{ subjectId: string }>(`/receipts/${id}`);
        return go(`#/subjects/${found.subjectId}?receipt=${id}`);
      } catch (e) {
        if (!isApiError(e) || e.kind !== 'not-found') throw e;
        setError(t('nothingFound', { id }));
      }
    } catch (e) {
      setError(problem(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <Heading>{t('searchTitle')}</Heading>
      <form class="card search" onSubmit={submit} noValidate>
        <label for="q">{t('searchLabel')}</label>
        <div class="row">
          <input
            id="q"
            type="search"
            value={query}
            spellcheck={false}
            autocomplete="off"
            onInput={(e) => setQuery(e.currentTarget.value)}
            aria-describedby="q-hint"
            aria-invalid={error ? 'true' : undefined}
          />
          <button type="submit" class="primary" disabled={busy}>
            {t('find')}
          </button>
        </div>
        <p id="q-hint" class="hint">
          {t('searchHint')}
        </p>
        {error && <Alert>{error}</Alert>}
      </form>
    </section>
  );
}
