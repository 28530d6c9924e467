import type { Category, Notice, ResolvedConfig } from '@paloma365/consent-core';
import type { TextKey, Translator } from './i18n.js';
import { builtinTexts } from './texts/index.js';

/** A notice without its id: what the id is the hash of. */
export type NoticeBody = Omit<Notice, 'id'>;

/** The texts a placeholder shows, besides the embed's name. */
const PLACEHOLDER_KEYS = ['placeholderText', 'placeholderAllow', 'settings'] as const;

/**
 * What the visitor is shown, in the language shown: every text of the banner and the dialog (each
 * `TextKey`, as the translator resolves it), the categories as the dialog lists them, the policy
 * version, the privacy policy URL and the operator. Absent options stay absent.
 *
 * With `placeholder`, what that placeholder shows instead: the embed's name (`placeholderLabel`, when
 * it has one), its text (`{categories}` in it stands for the titles of `categories`, joined by ", "),
 * its button and its link to the preferences, and the categories its button allows, in its order; not
 * the banner's texts, the privacy policy or the operator, which it does not show.
 */
export function noticeOf(
  config: ResolvedConfig,
  ui: Translator,
  placeholder?: { categories: Category[]; label: string },
): NoticeBody {
  const texts: Record<string, string> = {};
  for (const key of placeholder ? PLACEHOLDER_KEYS : (Object.keys(builtinTexts(ui.lang)) as TextKey[]))
    texts[key] = ui.t(key);
  if (placeholder?.label) texts.placeholderLabel = placeholder.label;
  return {
    language: ui.lang,
    policyVersion: config.policyVersion,
    privacyPolicyUrl: placeholder ? undefined : config.privacyPolicyUrl,
    operator: placeholder ? undefined : config.operator,
    texts,
    categories: (placeholder?.categories ?? config.categories).map((c) => {
      const [title, description] = ui.category(c);
      // A declared cookie as the dialog lists it: a purpose or lifetime it does not show is left out.
      const cookies = c.cookies.map((name) => {
        const cookie = c.declared?.find((d) => d.name === name);
        return cookie
          ? { name, purpose: ui.local(cookie.purpose) || undefined, lifetime: ui.local(cookie.lifetime) || undefined }
          : name;
      });
      return { id: c.id, title, description, required: c.required, cookies };
    }),
  };
}

/**
 * The receipt's canonical JSON: object keys sorted (as `Array.prototype.sort` orders them) at every
 * level, no whitespace, strings and numbers as `JSON.stringify` writes them, `undefined` left out.
 */
export const canonicalJson = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonicalJson)}]`
    : value && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
          .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)}}`
      : JSON.stringify(value);

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');

/**
 * SHA-256 of the UTF-8 of `text`, lower-case hex (FIPS 180-4). For pages that are not a secure
 * context, where `crypto.subtle` is missing; the constants are the fractional parts of the primes'
 * square and cube roots, computed rather than shipped.
 */
export function sha256(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const length = bytes.length;
  const primes: number[] = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p)) primes.push(n);
  const root = (p: number, e: number) => ((p ** e % 1) * 2 ** 32) | 0;
  let H = primes.slice(0, 8).map((p) => root(p, 1 / 2));
  const K = primes.map((p) => root(p, 1 / 3));
  const rotate = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  // The message, a 1 bit, zeros, and its length in bits, in whole 64-byte blocks.
  const size = ((length + 72) >> 6) << 4;
  const words = new Int32Array(size);
  for (let i = 0; i < length; i++) words[i >> 2]! |= bytes[i]! << (24 - (i % 4) * 8);
  words[length >> 2]! |= 0x80 << (24 - (length % 4) * 8);
  words[size - 1] = length * 8;
  for (let j = 0; j < size; j += 16) {
    const W = Array.from(words.subarray(j, j + 16));
    let s = H;
    for (let i = 0; i < 64; i++) {
      if (i > 15) {
        const x = W[i - 15]!;
        const y = W[i - 2]!;
        W[i] =
          ((rotate(x, 7) ^ rotate(x, 18) ^ (x >>> 3)) +
            W[i - 7]! +
            (rotate(y, 17) ^ rotate(y, 19) ^ (y >>> 10)) +
            W[i - 16]!) |
          0;
      }
      const [a, b, c, d, e, f, g, h] = s as [number, number, number, number, number, number, number, number];
      const t1 = h + (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!;
      const t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      s = [(t1 + t2) | 0, a, b, c, (d + t1) | 0, e, f, g];
    }
    H = H.map((v, i) => (v + s[i]!) | 0);
  }
  return hex(H);
}

/**
 * Starts hashing the notice now, so a click finds its id ready and the decision stays synchronous:
 * `crypto.subtle` in a secure context, else the bundled SHA-256 in a task after the render; a click
 * that comes first hashes it then, synchronously.
 * @returns the notice, id included
 */
export function prepareNotice(body: NoticeBody, scope: typeof globalThis = globalThis): () => Notice {
  const json = canonicalJson(body);
  let id: string | undefined;
  if (scope.isSecureContext && scope.crypto?.subtle) {
    scope.crypto.subtle.digest('SHA-256', new TextEncoder().encode(json)).then(
      (digest) => {
        const view = new DataView(digest);
        id ??= hex(Array.from({ length: 8 }, (_, i) => view.getUint32(i * 4)));
      },
      () => {},
    );
  } else scope.setTimeout?.(notice); // just after this render, off a click's path (a few ms)
  function notice(): Notice {
    id ??= sha256(json);
    return { id, ...body };
  }
  return notice;
}
