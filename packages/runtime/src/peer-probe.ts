// Readiness of an ingress's peers: every few seconds each peer is probed (probe-peer.ts in the
// ingress: TCP, the full mTLS handshake, a short wait to see the peer accept our certificate).
// `/readyz` answers from the last result; changes are logged as peer.down/up.
import type { Logger } from "pino";
import { createNodeSecureContext, logEvent } from "@tlsbridge/transport";
import { probePeer } from "@tlsbridge/ingress";
import type { IngressOptions } from "@tlsbridge/ingress";

/** The last probe result of one peer. */
export type PeerState = {
  readonly peer: string;
  readonly address: string;
  /** undefined until the first probe finished. */
  readonly up: boolean | undefined;
  /** The last failed probe's error, kept after the peer is up again (what happened at 3 a.m.). */
  readonly error?: string;
  /** When that probe finished (ISO 8601). */
  readonly errorAt?: string;
  /** When the last probe finished (ISO 8601). */
  readonly probedAt?: string;
  /** When a probe last completed its handshake (ISO 8601). */
  readonly upAt?: string;
};

/** Probes the peers of the current ingress options on an interval. */
export class PeerProbe {
  #options: IngressOptions;
  #context;
  readonly #states = new Map<string, PeerState>();
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #onChange: (peer: string, up: boolean) => void;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: IngressOptions, intervalMs: number, log: Logger, onChange: (peer: string, up: boolean) => void) {
    this.#options = options;
    this.#context = createNodeSecureContext(options.tls, options.keyExchangeGroups);
    this.#intervalMs = intervalMs;
    this.#log = log;
    this.#onChange = onChange;
  }

  /** Probes now, then every interval. */
  start(): void {
    void this.#round();
    this.#timer = setInterval(() => void this.#round(), this.#intervalMs);
    this.#timer.unref();
  }

  /** New peers and TLS material (a reload); probed at once. */
  update(options: IngressOptions): void {
    this.#options = options;
    this.#context = createNodeSecureContext(options.tls, options.keyExchangeGroups);
    for (const name of [...this.#states.keys()]) if (!options.peers.has(name)) this.#states.delete(name);
    void this.#round();
  }

  /** Every configured peer's state, in config order. */
  states(): PeerState[] {
    return [...this.#options.peers.values()].map((p) => this.#states.get(p.name) ?? { peer: p.name, address: `${p.host}:${p.port}`, up: undefined });
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #round(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const context = this.#context;
      const timeoutMs = Math.min(this.#options.limits.peerConnectTimeoutMs, Math.max(this.#intervalMs, 1_000));
      await Promise.all([...this.#options.peers.values()].map(async (peer) => {
        const address = `${peer.host}:${peer.port}`;
        const began = performance.now();
        let state: PeerState;
        try {
          await probePeer(peer, { secureContext: context, timeoutMs, maxHeadBytes: this.#options.limits.maxHeadBytes });
          const now = new Date().toISOString();
          const previous = this.#states.get(peer.name);
          state = { peer: peer.name, address, up: true, probedAt: now, upAt: now,
            ...(previous?.error !== undefined ? { error: previous.error, errorAt: previous.errorAt } : {}) };
          if (this.#states.get(peer.name)?.up !== true) {
            logEvent(this.#log, "info", "peer.up", { peer: peer.name, address, handshakeMs: Math.round(performance.now() - began) }, "peer reachable");
          }
        } catch (err) {
          const upAt = this.#states.get(peer.name)?.upAt;
          const now = new Date().toISOString();
          state = { peer: peer.name, address, up: false, error: (err as Error).message, errorAt: now, probedAt: now, ...(upAt !== undefined ? { upAt } : {}) };
          if (this.#states.get(peer.name)?.up !== false) {
            logEvent(this.#log, "warn", "peer.down", { peer: peer.name, address, err }, "peer unreachable");
          }
        }
        if (this.#options.peers.get(peer.name) !== peer) return; // a reload replaced it meanwhile
        this.#states.set(peer.name, state);
        this.#onChange(peer.name, state.up === true);
      }));
    } finally {
      this.#running = false;
    }
  }
}
