// Routing health (issue 14): out after `failuresToEject` failures in a row (probes or dials), back
// after `passesToReturn` probe passes in a row; a pass breaks a run of failures; each ejection and
// return is logged and counted once; ejected members leave their groups' rotation unless all are out.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { NO_METRICS } from "@tlsbridge/transport";
import type { TunnelMetrics } from "@tlsbridge/transport";
import type { PeerEndpoint } from "./ingress-options.ts";
import { PeerChoice } from "./peer-choice.ts";
import { PeerHealth, samePeerRoute } from "./peer-health.ts";

const OPTIONS = { intervalMs: 1_000, failuresToEject: 3, passesToReturn: 2 };

function recorder(): { health: PeerHealth; events: string[] } {
  const events: string[] = [];
  const metrics: TunnelMetrics = {
    ...NO_METRICS,
    peerEjected: (peer, reason) => events.push(`ejected ${peer} ${reason}`),
    peerReturned: (peer) => events.push(`returned ${peer}`),
  };
  return { health: new PeerHealth(OPTIONS, pino({ level: "silent" }), metrics), events };
}

describe("PeerHealth", () => {
  it("ejects after failuresToEject failures in a row, probes and dials alike, and counts it once", () => {
    const { health, events } = recorder();
    health.failed("a", "probe", new Error("refused"));
    health.failed("a", "dial");
    expect(health.isEjected("a")).toBe(false);
    health.failed("a", "dial");
    expect(health.isEjected("a")).toBe(true);
    health.failed("a", "probe");
    expect(events).toEqual(["ejected a dial"]);
  });

  it("a pass in between breaks the run (a peer that answered a tunnel is reached, whatever it answered)", () => {
    const { health } = recorder();
    for (let i = 0; i < 5; i++) {
      health.failed("a", "probe");
      health.failed("a", "probe");
      health.passed("a", i % 2 === 0 ? "dial" : "probe");
    }
    expect(health.isEjected("a")).toBe(false);
  });

  it("returns after passesToReturn probe passes in a row; dial passes and broken runs do not bring it back", () => {
    const { health, events } = recorder();
    for (let i = 0; i < 3; i++) health.failed("a", "probe");
    health.passed("a", "probe");
    health.failed("a", "probe");
    health.passed("a", "probe");
    health.passed("a", "dial");
    expect(health.isEjected("a")).toBe(true);
    health.passed("a", "probe");
    expect(health.isEjected("a")).toBe(false);
    expect(events).toEqual(["ejected a probe", "returned a"]);
  });
});

describe("PeerHealth across a reload", () => {
  const peer = (overrides: Partial<PeerEndpoint> = {}): PeerEndpoint => ({ name: "a", host: "10.0.0.1", port: 4443, servername: "peer-a", ...overrides });

  it("keeps an ejected member out when the reload leaves it on the same route; it returns by its probes", () => {
    const before = recorder();
    for (let i = 0; i < 3; i++) {
      before.health.failed("a", "probe");
      before.health.failed("b", "probe");
    }
    const after = recorder();
    after.health.carryOver(before.health, (name) => name === "a");
    expect(after.health.isEjected("a")).toBe(true);
    expect(after.health.isEjected("b")).toBe(false); // moved: starts in rotation
    after.health.passed("a", "probe");
    after.health.passed("a", "probe");
    expect(after.health.isEjected("a")).toBe(false);
    expect(after.events).toEqual(["returned a"]);
    expect(before.health.isEjected("a")).toBe(true); // a copy: the old configuration's state is its own
  });

  it("calls a route the same only with the same address, certificate name and proxy", () => {
    const via = { name: "corp", host: "proxy.corp", port: 3128 };
    expect(samePeerRoute(peer(), peer({ mode: "h2", pool: { size: 2, maxIdleMs: 1000 } }))).toBe(true);
    expect(samePeerRoute(peer({ via }), peer({ via: { ...via } }))).toBe(true);
    expect(samePeerRoute(peer(), peer({ host: "10.0.0.2" }))).toBe(false);
    expect(samePeerRoute(peer(), peer({ port: 443 }))).toBe(false);
    expect(samePeerRoute(peer(), peer({ servername: "peer-b" }))).toBe(false);
    expect(samePeerRoute(peer(), peer({ via }))).toBe(false);
    expect(samePeerRoute(peer(), undefined)).toBe(false);
  });
});

describe("PeerChoice with health", () => {
  const peer = (name: string): PeerEndpoint => ({ name, host: "127.0.0.1", port: 1, servername: "localhost" });
  const peers = new Map(["a", "b"].map((n) => [n, peer(n)]));
  const names = (list: readonly PeerEndpoint[]): string[] => list.map((p) => p.name);

  it("leaves ejected members out of their groups, tries them all when every member is out, and names a lone peer regardless", () => {
    const { health, events } = recorder();
    const choice = new PeerChoice(new Map([...peers, ["lone", peer("lone")]]), new Map([["g", ["a", "b"]]]), health);
    // A peer in no group is never ejected: there is no rotation to take it out of, and no probe to bring it back.
    for (let i = 0; i < 3; i++) choice.markUnreachable("lone");
    expect(events).toEqual([]);
    for (let i = 0; i < 3; i++) choice.markUnreachable("a");
    expect(names(choice.candidates("g"))).toEqual(["b"]);
    expect(names(choice.candidates("g"))).toEqual(["b"]);
    expect(names(choice.candidates("a"))).toEqual(["a"]);
    for (let i = 0; i < 3; i++) health.failed("b", "probe");
    expect(names(choice.candidates("g")).sort()).toEqual(["a", "b"]);
  });
});
