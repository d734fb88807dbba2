// At most one log line per client address per interval, for events a client can repeat in a loop
// (a failed TLS handshake, a connection from outside `clients:`, a port scan): a client cannot
// flood the log, and the next line it gets says how many were not logged. Addresses are kept in an
// LRU, so a scan from many addresses costs bounded memory (an address pushed out logs again).
import { LruCache } from "@tlsbridge/rules";
import { addressKey } from "@tlsbridge/transport";

/** Sizing; the defaults are in {@link PER_ADDRESS_LOG_DEFAULTS}. */
export type PerAddressLogLimitOptions = {
  /** At most one line per client address per this many ms. */
  readonly intervalMs?: number;
  /** Addresses remembered (LRU). */
  readonly maxClients?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
};

/** One line a minute per client address; 4096 addresses remembered. */
export const PER_ADDRESS_LOG_DEFAULTS = { intervalMs: 60_000, maxClients: 4096 } as const;

type Seen = { readonly loggedAt: number; suppressed: number };

/** Decides, per client address, whether an event is logged now. */
export class PerAddressLogLimit {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #seen: LruCache<string, Seen>;

  constructor(options: PerAddressLogLimitOptions = {}) {
    this.#intervalMs = options.intervalMs ?? PER_ADDRESS_LOG_DEFAULTS.intervalMs;
    this.#now = options.now ?? Date.now;
    this.#seen = new LruCache(options.maxClients ?? PER_ADDRESS_LOG_DEFAULTS.maxClients);
  }

  /**
   * For an event from `address` (an IP address; IPv4-mapped forms count as the IPv4 address):
   * undefined when it is not to be logged (it is counted), else how many were not logged since
   * that address's previous line (the field `suppressed`, present only when not 0).
   */
  admit(address: string): { readonly suppressed?: number } | undefined {
    const client = addressKey(address);
    const now = this.#now();
    const seen = this.#seen.get(client);
    if (seen !== undefined && now - seen.loggedAt < this.#intervalMs) {
      seen.suppressed += 1;
      return undefined;
    }
    this.#seen.set(client, { loggedAt: now, suppressed: 0 });
    return seen !== undefined && seen.suppressed > 0 ? { suppressed: seen.suppressed } : {};
  }
}
