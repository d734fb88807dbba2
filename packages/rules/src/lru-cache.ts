// A bounded least-recently-used cache: route decisions are memoised per host:port, and hosts come
// from clients, so the memo must not grow without limit.

/**
 * LRU cache on a `Map` (which iterates in insertion order): a hit re-inserts the key at the end,
 * and inserting past `capacity` drops the first (least recently used) key.
 */
export class LruCache<K, V> {
  readonly capacity: number;
  readonly #map = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.capacity = capacity;
  }

  /** The value for `key`, marking it most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** Stores `value` as most recently used, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
  }

  /** Whether `key` is cached, without changing its recency. */
  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Number of cached entries (never more than `capacity`). */
  get size(): number {
    return this.#map.size;
  }

  /** Keys from least to most recently used (for tests and diagnostics). */
  keys(): K[] {
    return [...this.#map.keys()];
  }

  /** Drops `key` if cached. */
  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
