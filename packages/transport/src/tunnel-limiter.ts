// Caps concurrent tunnels for a whole node and for each key (a client address at the ingress, an
// ingress certificate at the peer), so one noisy client cannot take every slot. A refused
// tunnel is answered 503 with Retry-After by the caller; the listener keeps accepting for others.

/** The two caps; both must be integers >= 1. */
export type TunnelLimits = {
  /** Tunnels open at once on this node. */
  readonly maxTunnels: number;
  /** Tunnels open at once for one key. */
  readonly maxTunnelsPerKey: number;
};

/** A slot was taken (call `release` when the tunnel is over), or which cap refused it. */
export type TunnelSlot =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly limit: "node" | "key"; readonly max: number };

/** Counts open tunnels per node and per key; O(1) per acquire and release. */
export class TunnelLimiter {
  #limits: TunnelLimits;
  readonly #perKey = new Map<string, number>();
  #total = 0;

  constructor(limits: TunnelLimits) {
    this.#limits = checked(limits);
  }

  /** The caps in force. */
  get limits(): TunnelLimits {
    return this.#limits;
  }

  /**
   * New caps (a config reload) for the tunnels that open from now on; open tunnels are never cut,
   * so the counts may sit above a lowered cap until enough of them close.
   */
  update(limits: TunnelLimits): void {
    this.#limits = checked(limits);
  }

  /** Open tunnels on the node. */
  get size(): number {
    return this.#total;
  }

  /** Open tunnels for `key`. */
  countOf(key: string): number {
    return this.#perKey.get(key) ?? 0;
  }

  /** Takes a slot for `key` unless a cap is reached. `release` is idempotent. */
  acquire(key: string): TunnelSlot {
    const limits = this.#limits;
    if (this.#total >= limits.maxTunnels) return { ok: false, limit: "node", max: limits.maxTunnels };
    const held = this.#perKey.get(key) ?? 0;
    if (held >= limits.maxTunnelsPerKey) return { ok: false, limit: "key", max: limits.maxTunnelsPerKey };
    this.#perKey.set(key, held + 1);
    this.#total += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total -= 1;
        const left = (this.#perKey.get(key) ?? 1) - 1;
        if (left === 0) this.#perKey.delete(key);
        else this.#perKey.set(key, left);
      },
    };
  }
}

function checked(limits: TunnelLimits): TunnelLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  }
  return { maxTunnels: limits.maxTunnels, maxTunnelsPerKey: limits.maxTunnelsPerKey };
}

/** The client address as a limiter key: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) counts as its IPv4. */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
