// The active half of routing health (`peerHealth:`, issue 14): every `intervalMs` each member of a
// peer group is probed (probe-peer.ts) and the result told to PeerHealth, which ejects a member that
// keeps failing and brings it back once it keeps passing. Runs in every process that serves tunnels
// (each worker routes with its own view), apart from the readiness probe of the admin listener.
import type tls from "node:tls";
import type { IngressOptions, PeerEndpoint } from "./ingress-options.ts";
import type { PeerHealth } from "./peer-health.ts";
import { probePeer } from "./probe-peer.ts";

/** Probes the group members of one ingress configuration on an interval. */
export class PeerHealthProbe {
  readonly #members: readonly PeerEndpoint[];
  readonly #health: PeerHealth;
  readonly #secureContext: tls.SecureContext;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #maxHeadBytes: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: IngressOptions, intervalMs: number, secureContext: tls.SecureContext, health: PeerHealth) {
    const names = new Set([...(options.peerGroups?.values() ?? [])].flat());
    this.#members = [...options.peers.values()].filter((peer) => names.has(peer.name));
    this.#health = health;
    this.#secureContext = secureContext;
    this.#intervalMs = intervalMs;
    // A probe must end before the next one is due, whatever the peer does.
    this.#timeoutMs = Math.min(options.limits.peerConnectTimeoutMs, intervalMs);
    this.#maxHeadBytes = options.limits.maxHeadBytes;
  }

  /** Probes now, then every interval; nothing when no group has members. */
  start(): void {
    if (this.#members.length === 0) return;
    void this.#round();
    this.#timer = setInterval(() => void this.#round(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #round(): Promise<void> {
    if (this.#running) return; // a slow round is not stacked on
    this.#running = true;
    try {
      await Promise.all(this.#members.map(async (peer) => {
        try {
          await probePeer(peer, { secureContext: this.#secureContext, timeoutMs: this.#timeoutMs, maxHeadBytes: this.#maxHeadBytes });
          this.#health.passed(peer.name, "probe");
        } catch (err) {
          this.#health.failed(peer.name, "probe", err);
        }
      }));
    } finally {
      this.#running = false;
    }
  }
}
