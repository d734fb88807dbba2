// What one serving process knows for the status page (issue 15): open tunnels by site, peer and
// ingress, the last refusals (a bounded ring) and their counts by cause, rule hits, and per peer the
// last completed handshake and whether peer health has ejected it. The roles report to it through
// the TunnelStatus sink; rule hits, handshakes and ejections are taken from the metrics sink calls.
import type { RefusalFacts, TunnelMetrics, TunnelPlace, TunnelStatus } from "@tlsbridge/transport";

/** How many refusals the ring keeps. */
export const RECENT_REFUSALS = 50;

/** One refusal as the status page lists it. */
export type RecentRefusal = RefusalFacts & { readonly time: string };

/** What one process's board holds, as plain JSON (it crosses the worker channel). */
export type BoardSnapshot = {
  readonly tunnels: {
    readonly open: number;
    readonly bySite: Record<string, number>;
    readonly byPeer: Record<string, number>;
    readonly byIngress: Record<string, number>;
  };
  /** Newest first. */
  readonly recentRefusals: readonly RecentRefusal[];
  readonly refusalsByCause: Record<string, number>;
  /** `site\nindex` -> hits. */
  readonly ruleHits: Record<string, number>;
  readonly peers: Record<string, { readonly lastHandshake?: string; readonly ejected: boolean }>;
};

/** The status of one serving process. */
export class StatusBoard implements TunnelStatus {
  #open = 0;
  readonly #bySite = new Map<string, number>();
  readonly #byPeer = new Map<string, number>();
  readonly #byIngress = new Map<string, number>();
  readonly #recent: RecentRefusal[] = [];
  readonly #byCause = new Map<string, number>();
  readonly #ruleHits = new Map<string, number>();
  readonly #handshakes = new Map<string, string>();
  readonly #ejected = new Set<string>();

  readonly tunnelOpened = (place: TunnelPlace): void => this.#count(place, 1);

  readonly tunnelClosed = (place: TunnelPlace): void => this.#count(place, -1);

  readonly tunnelRefused = (refusal: RefusalFacts): void => {
    this.#recent.unshift({ time: new Date().toISOString(), ...refusal });
    if (this.#recent.length > RECENT_REFUSALS) this.#recent.pop();
    bump(this.#byCause, refusal.code, 1);
  };

  /** `metrics` with its rule-hit, handshake and ejection calls also told to this board. */
  watching(metrics: TunnelMetrics): TunnelMetrics {
    return {
      ...metrics,
      ruleHit: (site, rule) => {
        metrics.ruleHit(site, rule);
        bump(this.#ruleHits, `${site}\n${rule}`, 1);
      },
      peerHandshake: (peer, seconds, resumed) => {
        metrics.peerHandshake(peer, seconds, resumed);
        this.#handshakes.set(peer, new Date().toISOString());
      },
      peerEjected: (peer, reason) => {
        metrics.peerEjected(peer, reason);
        this.#ejected.add(peer);
      },
      peerReturned: (peer) => {
        metrics.peerReturned(peer);
        this.#ejected.delete(peer);
      },
    };
  }

  snapshot(): BoardSnapshot {
    const peers: Record<string, { lastHandshake?: string; ejected: boolean }> = {};
    for (const name of new Set([...this.#handshakes.keys(), ...this.#ejected])) {
      const lastHandshake = this.#handshakes.get(name);
      peers[name] = { ...(lastHandshake !== undefined ? { lastHandshake } : {}), ejected: this.#ejected.has(name) };
    }
    return {
      tunnels: {
        open: this.#open,
        bySite: Object.fromEntries(this.#bySite),
        byPeer: Object.fromEntries(this.#byPeer),
        byIngress: Object.fromEntries(this.#byIngress),
      },
      recentRefusals: [...this.#recent],
      refusalsByCause: Object.fromEntries(this.#byCause),
      ruleHits: Object.fromEntries(this.#ruleHits),
      peers,
    };
  }

  #count(place: TunnelPlace, by: 1 | -1): void {
    this.#open += by;
    if (place.site !== undefined) bump(this.#bySite, place.site, by);
    if (place.peer !== undefined) bump(this.#byPeer, place.peer, by);
    if (place.ingress !== undefined) bump(this.#byIngress, place.ingress, by);
  }
}

/** Adds `by` to `key`; a count back at 0 is removed (a closed site or peer leaves the list). */
function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
