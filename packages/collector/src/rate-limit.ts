export interface RateLimitOptions {
  /** Requests allowed per address per window. @default 120 */
  max: number;
  /** Window length in milliseconds. @default 60000 */
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Fixed windows aligned to the clock: every counter is dropped when the window turns,
 * so memory is bounded by the addresses seen in one window.
 */
export function createRateLimiter(options: RateLimitOptions, now: () => number = Date.now) {
  let window = -1;
  let counts = new Map<string, number>();
  return (key: string): RateDecision => {
    const time = now();
    const current = Math.floor(time / options.windowMs);
    if (current !== window) {
      window = current;
      counts = new Map();
    }
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count <= options.max) return { allowed: true };
    const resetsAt = (current + 1) * options.windowMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - time) / 1000)) };
  };
}

/**
 * Counts failures (wrong sign-ins) per key in fixed windows aligned to the clock: once a key has
 * `max` failures in the current window, `check` refuses it until the window turns, whatever it
 * sends then, so at most `max` guesses per key and window are ever tried.
 */
export function createFailureBrake(options: RateLimitOptions, now: () => number = Date.now) {
  let window = -1;
  let failures = new Map<string, number>();
  const turn = (time: number) => {
    const current = Math.floor(time / options.windowMs);
    if (current !== window) {
      window = current;
      failures = new Map();
    }
    return current;
  };
  return {
    check(key: string): RateDecision {
      const time = now();
      const current = turn(time);
      if ((failures.get(key) ?? 0) < options.max) return { allowed: true };
      const resetsAt = (current + 1) * options.windowMs;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - time) / 1000)) };
    },
    fail(key: string): void {
      turn(now());
      failures.set(key, (failures.get(key) ?? 0) + 1);
    },
  };
}
