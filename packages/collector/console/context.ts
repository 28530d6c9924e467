import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Api, type ApiError, isApiError, type Notice } from './api.js';
import type { Language, Translate } from './i18n.js';

/** What every page needs: the texts, the signed-in API, and formatting in the chosen language. */
export interface Session {
  t: Translate;
  language: Language;
  api: Api;
  /** Notices already fetched with a subject's receipts, by id: opening one costs no request. */
  notices: Map<string, Notice>;
  dateTime: (iso: string) => string;
  date: (iso: string) => string;
  number: (value: number) => string;
  percent: (share: number) => string;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside of a signed-in console');
  return session;
}

export function formatters(language: Language): Pick<Session, 'dateTime' | 'date' | 'number' | 'percent'> {
  // UTC throughout: receipts are evidence, and the operator compares them with logs kept in UTC.
  // Chromium's ICU has no Kazakh month names ("2026 M11 18"): Kazakh dates are numeric, as written in Kazakhstan.
  const locale = language === 'kk' ? 'ru-KZ' : language;
  const style =
    language === 'kk'
      ? ({ day: '2-digit', month: '2-digit', year: 'numeric' } as const)
      : ({ dateStyle: 'medium' } as const);
  const time =
    language === 'kk'
      ? ({ hour: '2-digit', minute: '2-digit', second: '2-digit' } as const)
      : ({ timeStyle: 'medium' } as const);
  const dateTime = new Intl.DateTimeFormat(locale, { ...style, ...time, timeZone: 'UTC' });
  const date = new Intl.DateTimeFormat(locale, { ...style, timeZone: 'UTC' });
  const number = new Intl.NumberFormat(language);
  const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
  return {
    dateTime: (iso) => `${dateTime.format(new Date(iso))} UTC`,
    date: (iso) => date.format(new Date(iso)),
    number: (value) => number.format(value),
    percent: (share) => percent.format(share),
  };
}

/** The sentence for a failed call. */
export function problem(t: Translate, error: unknown): string {
  if (!isApiError(error)) return t('offline');
  const e: ApiError = error;
  if (e.kind === 'rate-limited') return t('tooMany', { seconds: e.retryAfter });
  if (e.kind === 'unauthorized') return t('sessionEnded');
  if (e.kind === 'offline') return t('offline');
  return t('failed', { status: e.status, message: e.message });
}
