// Failed proxy logins per client address (issue: failed logins were unthrottled). Each wrong
// password costs a scrypt run on libuv's 4-thread pool, which DNS lookups share: after too many
// failures in a window, an address is answered 407 without running scrypt until the window ends.
// Bounded: the addresses live in an LRU, so a flood from many addresses cannot grow it.
import { LruCache } from "@tlsbridge/rules";

/** Sizing; the defaults are in {@link AUTH_FAILURE_DEFAULTS}. */
export type AuthFailureLimiterOptions = {
  /** Failures within `windowMs` after which an address is throttled. */
  readonly maxFailures?: number;
  /** The window, from an address's first failure. */
  readonly windowMs?: number;
  /** Addresses remembered (LRU). */
  readonly maxClients?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
};

/** 10 failures a minute per address; 4096 addresses remembered. */
export const AUTH_FAILURE_DEFAULTS = { maxFailures: 10, windowMs: 60_000, maxClients: 4096 } as const;

type Window = { readonly started: number; failures: number; reported: boolean };

/**
 * Whether an address may try a password now; when not, in how many whole seconds it may (rounded
 * up), and `report` true for the first refusal of the window.
 */
export type ThrottleState = { readonly throttled: false } | { readonly throttled: true; readonly retryAfterS: number; readonly report: boolean };

/** Counts failed logins per client address in fixed windows. */
export class AuthFailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows: LruCache<string, Window>;

  constructor(options: AuthFailureLimiterOptions = {}) {
    this.#max = options.maxFailures ?? AUTH_FAILURE_DEFAULTS.maxFailures;
    this.#windowMs = options.windowMs ?? AUTH_FAILURE_DEFAULTS.windowMs;
    this.#now = options.now ?? Date.now;
    this.#windows = new LruCache(options.maxClients ?? AUTH_FAILURE_DEFAULTS.maxClients);
  }

  /** Whether `address` is throttled; the first call that finds it throttled in a window reports it. */
  check(address: string): ThrottleState {
    const window = this.#current(address);
    if (window === undefined || window.failures < this.#max) return { throttled: false };
    const report = !window.reported;
    window.reported = true;
    const retryAfterS = Math.max(1, Math.ceil((window.started + this.#windowMs - this.#now()) / 1000));
    return { throttled: true, retryAfterS, report };
  }

  /** Counts a failed login (a wrong password or an unknown user: scrypt ran). */
  fail(address: string): void {
    const window = this.#current(address);
    if (window === undefined) this.#windows.set(address, { started: this.#now(), failures: 1, reported: false });
    else window.failures++;
  }

  /** Addresses remembered (tests). */
  get size(): number {
    return this.#windows.size;
  }

  #current(address: string): Window | undefined {
    const window = this.#windows.get(address);
    if (window === undefined || this.#now() - window.started < this.#windowMs) return window;
    return undefined; // expired: the next failure starts a new window (and overwrites this one)
  }
}
