/**
 * The site's consent configuration, as the SDK itself reads it: the page's
 * `<script type="application/json" id="paloma-consent-config">` block, or a file given with `--config`,
 * resolved by the SDK's own validation so the defaults (cookie name, lifetime, categories) are the SDK's.
 */
import { formatProblem, validateConfig } from '@paloma365/consent-core';
import type { CategoryRecord, PageConfig } from './report.js';

/** What the page or file gave: the parsed JSON, or why there is none. */
export type RawConfig = { source: 'page' | 'file'; value: unknown } | { source: 'none'; value?: undefined };

/** A configuration's hosts that the SDK itself talks to before consent (receipts, its UI files). */
function sdkHosts(value: Record<string, unknown>, pageUrl: string): string[] {
  const hosts: string[] = [];
  for (const field of ['endpoint', 'uiUrl']) {
    const url = value[field];
    if (typeof url !== 'string') continue;
    try {
      hosts.push(new URL(url, pageUrl).hostname);
    } catch {} // the SDK's validation reports a bad URL
  }
  return hosts;
}

export interface Resolved {
  config: PageConfig;
  /** `config.language` ("auto" or a language). */
  language: string;
  /** `config.texts`, for the buttons' labels. */
  texts: Partial<Record<string, Record<string, string>>>;
}

export function resolvePageConfig(raw: RawConfig, pageUrl: string, allowHosts: readonly string[] = []): Resolved {
  // Validation needs a policy version; a page without configuration is audited against the defaults.
  const value = raw.source === 'none' ? { policyVersion: 'unknown' } : raw.value;
  const validation = validateConfig(value);
  const problems = validation.ok ? [] : validation.problems.map(formatProblem);
  // An invalid configuration makes the SDK fall back to its safe state, and the audit to the defaults.
  const fallback = validation.ok ? validation : validateConfig({ policyVersion: 'unknown' });
  if (!fallback.ok) throw new Error('the SDK rejects its own default configuration');
  const config = fallback.config;
  const object = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const own = (object.categories ?? {}) as Record<string, { cookies?: unknown }>;
  const categories: CategoryRecord[] = config.categories.map((c) => {
    const listed = own[c.id]?.cookies;
    return {
      id: c.id,
      required: c.required,
      cookies: c.cookies,
      declared: Array.isArray(listed) ? listed.filter((p): p is string => typeof p === 'string') : [],
    };
  });
  return {
    config: {
      source: raw.source,
      problems,
      cookieName: config.cookie.name,
      maxAgeDays: config.cookie.maxAgeDays,
      categories,
      allowedHosts: [...new Set([...sdkHosts(object, pageUrl), ...allowHosts])],
    },
    language: config.language,
    texts: config.texts,
  };
}

/** Parses the JSON of a configuration block or file; a syntax error is a configuration problem, not a crash. */
export function parseConfig(text: string, source: 'page' | 'file'): RawConfig | { error: string } {
  try {
    return { source, value: JSON.parse(text) };
  } catch (error) {
    return {
      error: `the ${source === 'page' ? '#paloma-consent-config block' : 'configuration file'} is not JSON: ${(error as Error).message}`,
    };
  }
}
