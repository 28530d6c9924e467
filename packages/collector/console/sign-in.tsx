import { useState } from 'preact/hooks';
import { createApi, isApiError } from './api.js';
import { problem } from './context.js';
import type { Translate } from './i18n.js';
import { Alert } from './ui.js';

/**
 * A route every collector with a token has, asked for a subject nobody has: 200 proves the token,
 * 401 refuses it, and nothing is read or changed.
 */
const PROBE = '/subjects/00000000-0000-4000-8000-000000000000/receipts';

export function SignIn({
  t,
  notice,
  onSignedIn,
}: {
  t: Translate;
  notice: string;
  onSignedIn: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(notice);

  async function submit(event: Event) {
    event.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    setError('');
    try {
      await createApi(value, () => {}).get(PROBE);
      onSignedIn(value);
    } catch (e) {
      setError(isApiError(e) && e.kind === 'unauthorized' ? t('wrongToken') : problem(t, e));
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={submit} noValidate>
        <p class="brand">
          <span class="brand-mark" aria-hidden="true" />
          {t('product')}
        </p>
        <h1>{t('signInTitle')}</h1>
        {error && <Alert>{error}</Alert>}
        <label for="token">{t('token')}</label>
        <input
          id="token"
          type="password"
          autocomplete="current-password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-hint"
          required
        />
        <p id="token-hint" class="hint">
          {t('tokenHint')}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </main>
  );
}
