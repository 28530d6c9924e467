import { useState } from 'preact/hooks';
import { problem, useSession } from './context.js';
import { Alert, Heading } from './ui.js';

/** Purge by age, in two steps: a dry run counts, and only that counted purge can then be confirmed. */
export function Retention() {
  const { t, api, dateTime, number } = useSession();
  const [days, setDays] = useState('1095');
  const [counted, setCounted] = useState<{ days: string; count: number; before: string } | undefined>();
  const [purged, setPurged] = useState<{ count: number; before: string } | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const valid = /^\d+$/.test(days.trim()) && Number(days) <= 36_500;

  async function count(event: Event) {
    event.preventDefault();
    setError('');
    setPurged(undefined);
    setCounted(undefined);
    if (!valid) return setError(t('daysInvalid'));
    setBusy(true);
    try {
      const n = days.trim();
      const answer = await api.send<{ wouldPurge: number; before: string }>(
        'POST',
        `/purge?olderThanDays=${n}&dryRun=1`,
      );
      // A collector without dry runs would have purged already: say what it did rather than offer to do it again.
      if (typeof answer.wouldPurge !== 'number') {
        const done = answer as unknown as { purged: number; before?: string };
        setPurged({ count: done.purged, before: done.before ?? '' });
      } else setCounted({ days: n, count: answer.wouldPurge, before: answer.before });
    } catch (e) {
      setError(problem(t, e));
    } finally {
      setBusy(false);
    }
  }

  async function purge() {
    if (!counted) return;
    setBusy(true);
    setError('');
    try {
      const answer = await api.send<{ purged: number; before: string }>('POST', `/purge?olderThanDays=${counted.days}`);
      setPurged({ count: answer.purged, before: answer.before });
      setCounted(undefined);
    } catch (e) {
      setError(problem(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <Heading>{t('retentionTitle')}</Heading>
      <p class="intro">{t('retentionIntro')}</p>
      <form class="card" onSubmit={count} noValidate>
        <label for="days">{t('days')}</label>
        <div class="row">
          <input
            id="days"
            inputMode="numeric"
            class="narrow"
            value={days}
            onInput={(e) => {
              setDays(e.currentTarget.value);
              setCounted(undefined);
            }}
            aria-invalid={valid ? undefined : 'true'}
          />
          <button type="submit" class="secondary" disabled={busy}>
            {t('count')}
          </button>
        </div>
        {counted && (
          <div class="confirm">
            <Alert kind="info">
              {t('wouldPurge', { count: number(counted.count), date: dateTime(counted.before) })}
            </Alert>
            {counted.count > 0 && (
              <button type="button" class="destructive" onClick={purge} disabled={busy}>
                {t('purge', { count: number(counted.count) })}
              </button>
            )}
          </div>
        )}
        {purged && (
          <Alert kind="success">
            {t('purged', { count: number(purged.count), date: purged.before ? dateTime(purged.before) : '—' })}
          </Alert>
        )}
        {error && <Alert>{error}</Alert>}
      </form>
    </section>
  );
}
