// Which members of peer groups are out of rotation (`peerHealth:`, issue 14). A member is ejected
// after `failuresToEject` failures in a row, counting both its periodic probes (active) and the
// dials of tunnels (passive), and returns after `passesToReturn` probes pass in a row. Only a failure
// to reach the peer counts: a refusal from a peer that answered (403, 502 from its service) says the
// peer works, and is never counted here (peer-failover.ts reports dial failures only).
//
//   in rotation ──(failuresToEject failures in a row: probe or dial)──▶ ejected
//   ejected     ──(passesToReturn probe passes in a row)──────────────▶ in rotation
//
// A reload keeps the state of every peer it leaves on the same route (address, name, proxy): a
// member ejected during an outage stays out until its probes pass, instead of taking tunnels again.
import type { Logger } from "pino";
import { logEvent } from "@tlsbridge/transport";
import type { TunnelMetrics } from "@tlsbridge/transport";
import type { PeerEndpoint, PeerHealthOptions } from "./ingress-options.ts";

/** What made a peer fail or pass: its periodic probe, or a tunnel's dial. */
export type HealthSource = "probe" | "dial";

type PeerRecord = { failures: number; passes: number; ejected: boolean };

/** The health of every peer of one ingress configuration. */
export class PeerHealth {
  readonly #options: PeerHealthOptions;
  readonly #log: Logger;
  readonly #metrics: TunnelMetrics;
  readonly #peers = new Map<string, PeerRecord>();

  constructor(options: PeerHealthOptions, log: Logger, metrics: TunnelMetrics) {
    this.#options = options;
    this.#log = log;
    this.#metrics = metrics;
  }

  /** After a reload: takes over `previous`'s state of the peers `unchanged` names; the others start in rotation. */
  carryOver(previous: PeerHealth, unchanged: (peer: string) => boolean): void {
    for (const [peer, record] of previous.#peers) if (unchanged(peer)) this.#peers.set(peer, { ...record });
  }

  /** Whether `peer` is out of rotation. */
  isEjected(peer: string): boolean {
    return this.#peers.get(peer)?.ejected === true;
  }

  /** `peer` could not be reached (its probe failed, or a tunnel's dial did). */
  failed(peer: string, source: HealthSource, err?: unknown): void {
    const record = this.#record(peer);
    record.passes = 0;
    record.failures += 1;
    if (record.ejected || record.failures < this.#options.failuresToEject) return;
    record.ejected = true;
    logEvent(this.#log, "warn", "peer.ejected", { peer, reason: source, failures: record.failures, ...(err !== undefined ? { err } : {}),
    }, "peer ejected from its groups");
    this.#metrics.peerEjected(peer, source);
  }

  /** `peer` was reached (its probe passed, or a tunnel's dial did). */
  passed(peer: string, source: HealthSource): void {
    const record = this.#record(peer);
    record.failures = 0;
    // Only probes bring a peer back: tunnels dial an ejected peer only when its whole group is
    // ejected, and one lucky dial is not a trend.
    if (!record.ejected || source !== "probe") return;
    record.passes += 1;
    if (record.passes < this.#options.passesToReturn) return;
    record.ejected = false;
    record.passes = 0;
    logEvent(this.#log, "info", "peer.returned", { peer, passes: this.#options.passesToReturn }, "peer back in its groups");
    this.#metrics.peerReturned(peer);
  }

  #record(peer: string): PeerRecord {
    let record = this.#peers.get(peer);
    if (record === undefined) {
      record = { failures: 0, passes: 0, ejected: false };
      this.#peers.set(peer, record);
    }
    return record;
  }
}

/** Whether a reload left a peer on the same route: address, certificate name and corporate proxy. */
export function samePeerRoute(before: PeerEndpoint | undefined, after: PeerEndpoint | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  const via = (p: PeerEndpoint): string => (p.via === undefined ? "" : `${p.via.host}:${p.via.port}`);
  return before.host === after.host && before.port === after.port && before.servername === after.servername && via(before) === via(after);
}
