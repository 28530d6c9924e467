export const METHODS = ['accept_all', 'reject_all', 'custom', 'withdraw', 'gpc'] as const;
/** How a decision was made; receipts and `get()` report it. */
export type Method = (typeof METHODS)[number];

/** A visitor's consent decision, as `get()` returns it. */
export interface Decision {
  /** Random UUID kept in the consent cookie: the only link between a visitor's receipts. */
  subjectId: string;
  policyVersion: string;
  /** ISO 8601 time of the decision. */
  timestamp: string;
  method: Method;
  /** Every configured category; `necessary` is always `true`. */
  categories: Record<string, boolean>;
}

/**
 * `true` when `object` itself holds `key` as `true`: a page (or a library it loads) that sets
 * `Object.prototype.analytics = true` must not allow a category nobody chose.
 */
export const ownTrue = (object: object | null | undefined, key: string): boolean =>
  // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn needs Safari 15.4
  !!object && {}.hasOwnProperty.call(object, key) && (object as Record<string, unknown>)[key] === true;
