import { useEffect, useState } from 'preact/hooks';
import { METHODS, type Stats as StatsAnswer } from './api.js';
import { DayChart, ShareChart } from './charts.js';
import { problem, useSession } from './context.js';
import { Alert, Heading } from './ui.js';

/** Almaty: where Paloma365's operator reads its days. */
const DEFAULT_OFFSET = '+05:00';
const DAY_MS = 86_400_000;

/** `+05:00` → 300; undefined unless within what the API accepts (−12:00 to +14:00). */
export function parseOffset(text: string): number | undefined {
  const match = /^([+-])(\d{1,2}):?(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const minutes = (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  return Number(match[3]) < 60 && minutes >= -720 && minutes <= 840 ? minutes : undefined;
}

const dayOf = (time: number, offset: number) => new Date(time + offset * 60_000).toISOString().slice(0, 10);

export function Stats() {
  const { t, api, number, percent } = useSession();
  const today = dayOf(Date.now(), 300);
  const [form, setForm] = useState({ from: dayOf(Date.now() - 29 * DAY_MS, 300), to: today, tz: DEFAULT_OFFSET });
  const [stats, setStats] = useState<StatsAnswer | undefined>();
  const [error, setError] = useState('');

  function load() {
    setError('');
    const offset = parseOffset(form.tz);
    if (offset === undefined) return setError(t('tzInvalid'));
    const span = (Date.parse(form.to) - Date.parse(form.from)) / DAY_MS;
    if (!(span >= 0 && span < 366)) return setError(t('rangeInvalid'));
    const query = new URLSearchParams({ from: form.from, to: form.to, tzOffsetMinutes: String(offset) });
    api.get<StatsAnswer>(`/stats?${query}`).then(setStats, (e) => setError(problem(t, e)));
  }
  useEffect(load, []);

  const field = (name: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value });
  const categories = stats ? Object.entries(stats.categories) : [];
  const languages = [...new Set(categories.flatMap(([, c]) => Object.keys(c.byLanguage)))].sort();
  const total = stats?.days.reduce((sum, d) => sum + d.receipts, 0) ?? 0;
  const detail = (c: { allowed: number; receipts: number; share: number }) =>
    `${percent(c.share)} (${number(c.allowed)} / ${number(c.receipts)})`;

  return (
    <section>
      <Heading>{t('statsTitle')}</Heading>
      <form
        class="card filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
        noValidate
      >
        <div>
          <label for="from">{t('from')}</label>
          <input id="from" type="date" value={form.from} onInput={field('from')} />
        </div>
        <div>
          <label for="to">{t('to')}</label>
          <input id="to" type="date" value={form.to} onInput={field('to')} />
        </div>
        <div>
          <label for="tz">{t('tz')}</label>
          <input id="tz" class="narrow" value={form.tz} onInput={field('tz')} />
        </div>
        <button type="submit" class="primary">
          {t('show')}
        </button>
      </form>
      {error && <Alert>{error}</Alert>}
      {stats && total === 0 && <Alert kind="info">{t('noData')}</Alert>}
      {stats && total > 0 && (
        <>
          <div class="card">
            <h2 id="per-day">{t('perDay')}</h2>
            <DayChart days={stats.days} t={t} title={t('perDay')} />
            <details>
              <summary>
                {t('perDay')} — {t('total')}: {number(total)}
              </summary>
              <div class="table-scroll">
                <table class="numbers" data-table="days">
                  <thead>
                    <tr>
                      <th scope="col">{t('day')}</th>
                      {METHODS.map((m) => (
                        <th scope="col" class="num" key={m}>
                          {t(m)}
                        </th>
                      ))}
                      <th scope="col" class="num">
                        {t('total')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {stats.days.map((d) => (
                      <tr key={d.day}>
                        <th scope="row">{d.day}</th>
                        {METHODS.map((m) => (
                          <td class="num" key={m}>
                            {number(d.byMethod[m] ?? 0)}
                          </td>
                        ))}
                        <td class="num">{number(d.receipts)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </div>
          <div class="card">
            <h2>{t('optIn')}</h2>
            <ShareChart
              kind="categories"
              title={t('optIn')}
              rows={categories.map(([id, c]) => ({ label: id, share: c.share, detail: detail(c) }))}
            />
            <h2>{t('optInLanguage')}</h2>
            <ShareChart
              kind="languages"
              title={t('optInLanguage')}
              rows={categories.flatMap(([id, c]) =>
                Object.entries(c.byLanguage).map(([language, l]) => ({
                  label: `${id} · ${language}`,
                  share: l.share,
                  detail: detail(l),
                })),
              )}
            />
            <table class="numbers" data-table="categories">
              <caption>{t('optInLanguage')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('category')}</th>
                  <th scope="col" class="num">
                    {t('total')}
                  </th>
                  {languages.map((l) => (
                    <th scope="col" class="num" key={l}>
                      {l}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {categories.map(([id, c]) => (
                  <tr key={id}>
                    <th scope="row">{id}</th>
                    <td class="num">{detail(c)}</td>
                    {languages.map((l) => (
                      <td class="num" key={l}>
                        {c.byLanguage[l] ? detail(c.byLanguage[l]) : '—'}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
