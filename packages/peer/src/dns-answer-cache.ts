// The peer's cache of DNS answers when it asks its own servers (`dns.servers`): bounded in entries,
// each answer kept for its TTL but never longer than a cap, and failures (NXDOMAIN, no records)
// remembered only briefly, so a name that starts to resolve is not refused for long (RFC 2308 §5).
import { LruCache } from "@tlsbridge/rules";

/** Bounds of the cache; the defaults suit a peer dialing a few thousand names. */
export type DnsCacheLimits = {
  /** Names remembered at once (least recently used dropped first). */
  readonly maxEntries: number;
  /** Longest an answer is kept, whatever TTL it carried. */
  readonly maxTtlMs: number;
  /** How long a negative answer (NXDOMAIN, no addresses) is kept. */
  readonly negativeTtlMs: number;
};

/** 1024 names, answers at most 5 minutes, negative answers 5 seconds. */
export const DNS_CACHE_DEFAULTS: DnsCacheLimits = { maxEntries: 1024, maxTtlMs: 300_000, negativeTtlMs: 5_000 };

type Entry<T, F> = { readonly expires: number } & ({ readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: F });

/** What the cache holds for a name: an answer, a remembered failure, or nothing (ask the servers). */
export type CachedAnswer<T, F> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: F } | undefined;

/** Answers (`T`) and negative answers (`F`) per name, each until its expiry; `now` in ms. */
export class DnsAnswerCache<T, F> {
  readonly #limits: DnsCacheLimits;
  readonly #entries: LruCache<string, Entry<T, F>>;

  constructor(limits: Partial<DnsCacheLimits> = {}) {
    this.#limits = { ...DNS_CACHE_DEFAULTS, ...limits };
    this.#entries = new LruCache(this.#limits.maxEntries);
  }

  /** The live entry for `name`; an expired one is dropped and reported as absent. */
  get(name: string, now: number): CachedAnswer<T, F> {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(name);
      return undefined;
    }
    return entry.ok ? { ok: true, value: entry.value } : { ok: false, failure: entry.failure };
  }

  /** Keeps `value` for `ttlSeconds` (the smallest TTL of the records), capped at maxTtlMs. A TTL of 0 is not cached. */
  setAnswer(name: string, value: T, ttlSeconds: number, now: number): void {
    const ttlMs = Math.min(Math.max(0, ttlSeconds) * 1000, this.#limits.maxTtlMs);
    if (ttlMs <= 0) {
      this.#entries.delete(name);
      return;
    }
    this.#entries.set(name, { ok: true, value, expires: now + ttlMs });
  }

  /** Keeps a negative answer for negativeTtlMs. */
  setFailure(name: string, failure: F, now: number): void {
    if (this.#limits.negativeTtlMs <= 0) return;
    this.#entries.set(name, { ok: false, failure, expires: now + this.#limits.negativeTtlMs });
  }

  /** Names held (expired ones included until looked up or evicted). */
  get size(): number {
    return this.#entries.size;
  }
}
