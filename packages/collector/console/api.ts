/** The operator routes as the console calls them: same origin, the token in a header, never in a URL. */

/** A failed call, ready to be shown: `kind` picks the sentence, `status` and `message` fill it. */
export interface ApiError {
  kind: 'unauthorized' | 'rate-limited' | 'not-found' | 'offline' | 'failed';
  status: number;
  message: string;
  retryAfter: number;
}

export const isApiError = (value: unknown): value is ApiError =>
  typeof value === 'object' && value !== null && 'kind' in value && 'status' in value;

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'DELETE', path: string): Promise<T>;
  /** The raw response of a GET (a download), after the same error handling. */
  raw(path: string): Promise<Response>;
}

/** `onUnauthorized` runs on any 401: the token was wrong or has been changed, so the tab signs out. */
export function createApi(token: string, onUnauthorized: () => void): Api {
  async function call(method: string, path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw failure('offline', 0, '');
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    const message = body.error ?? response.statusText;
    if (response.status === 401) {
      onUnauthorized();
      throw failure('unauthorized', 401, message);
    }
    if (response.status === 429) {
      throw failure('rate-limited', 429, message, Number(response.headers.get('Retry-After')) || 60);
    }
    throw failure(response.status === 404 ? 'not-found' : 'failed', response.status, message);
  }
  return {
    get: (path) => call('GET', path).then((r) => r.json()),
    send: (method, path) => call(method, path).then((r) => r.json()),
    raw: (path) => call('GET', path),
  };
}

function failure(kind: ApiError['kind'], status: number, message: string, retryAfter = 0): ApiError {
  return { kind, status, message, retryAfter };
}

/** What the console reads of a stored receipt (version 1 has no notice and no expiry). */
export interface StoredReceipt {
  receiptId: string;
  subjectId: string;
  receivedAt: string;
  timestamp: string;
  method: Method;
  categories: Record<string, boolean>;
  page: string;
  language: string;
  policyVersion: string;
  expiresAt?: string;
  notice?: Notice | null;
}

export const METHODS = ['accept_all', 'reject_all', 'custom', 'withdraw', 'gpc'] as const;
export type Method = (typeof METHODS)[number];

export interface Notice {
  id: string;
  language: string;
  policyVersion: string;
  privacyPolicyUrl?: string;
  operator?: { name?: string; id?: string; url?: string };
  texts: Record<string, string>;
  categories: { id: string; title: string; description: string; required: boolean; cookies: CookieEntry[] }[];
}

export type CookieEntry = string | { name: string; purpose?: string; lifetime?: string };

export interface NoticeSummary {
  id: string;
  firstSeen: string;
  lastSeen: string;
  receipts: number;
  language: string;
  policyVersion: string;
}

export interface Chain {
  subjectId: string;
  receipts: number;
  ok: boolean;
  problems: string[];
}

export interface Stats {
  from: string;
  to: string;
  tzOffsetMinutes: number;
  days: { day: string; receipts: number; byMethod: Record<Method, number> }[];
  categories: Record<
    string,
    {
      receipts: number;
      allowed: number;
      share: number;
      byLanguage: Record<string, { receipts: number; allowed: number; share: number }>;
    }
  >;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
