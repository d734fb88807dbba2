// Child-process side of node-process.ts: runs one ingress or peer in its own process, so a test can
// measure that node's memory alone, kill it with SIGKILL, or restart it on the same port.
// Driven over IPC: `start`, `memory`, `active`, `close`; log lines are sent back as messages.
import { Writable } from "node:stream";
import pino from "pino";
import { startIngress } from "@tlsbridge/ingress";
import type { IngressLimits, RunningIngress } from "@tlsbridge/ingress";
import { startPeer } from "@tlsbridge/peer";
import type { PeerLimits, RunningPeer } from "@tlsbridge/peer";
import { AllowList, RuleSet } from "@tlsbridge/rules";
import type { PlainAllowEntry } from "@tlsbridge/rules";
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";

/** What the parent sends to start a node. */
export type ChildNodeSpec = {
  readonly role: "ingress" | "peer";
  readonly nodeName: string;
  readonly port: number;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly limits: IngressLimits | PeerLimits;
  /** Peer: allow-list entries. */
  readonly allow?: readonly PlainAllowEntry[];
  /** Ingress: where the one peer `cloud` is (every host is routed to it). */
  readonly peer?: { host: string; port: number; servername: string; mode?: "h1" | "h2" };
};

type Request = { id: number; type: "start"; spec: ChildNodeSpec } | { id: number; type: "memory" | "active" } | { id: number; type: "close"; graceMs: number };

const send = (message: unknown): void => void process.send?.(message);
let running: RunningIngress | RunningPeer | undefined;

const log = pino({ level: "debug" }, new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const text of chunk.toString("utf8").split("\n")) if (text.trim() !== "") send({ type: "log", line: JSON.parse(text) });
    callback();
  },
}));

async function start(spec: ChildNodeSpec): Promise<number> {
  const tls = { ca: Buffer.from(spec.ca), cert: Buffer.from(spec.cert), key: Buffer.from(spec.key) };
  if (spec.role === "peer") {
    const peer = await startPeer({
      nodeName: spec.nodeName, host: "127.0.0.1", port: spec.port, allow: AllowList.fromEntries(spec.allow ?? []),
      tls, keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS, limits: spec.limits as PeerLimits,
    }, { log });
    running = peer;
    return peer.port;
  }
  const target = spec.peer as NonNullable<ChildNodeSpec["peer"]>;
  const ingress = await startIngress({
    nodeName: spec.nodeName,
    listeners: [{ site: "test", host: "127.0.0.1", port: spec.port, rules: RuleSet.fromEntries([{ match: ".*", peer: "cloud" }]) }],
    peers: new Map([["cloud", { name: "cloud", ...target }]]),
    tls, keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS, limits: spec.limits as IngressLimits,
  }, { log });
  running = ingress;
  return (ingress.listeners[0] as { port: number }).port;
}

process.on("message", (request: Request) => {
  void (async () => {
    try {
      switch (request.type) {
        case "start":
          send({ id: request.id, ok: true, value: await start(request.spec) });
          break;
        case "memory":
          // Full collections first, so the numbers are what the node holds, not garbage: the second
          // after a turn of the loop, once freed ArrayBuffer backing stores have been swept.
          (globalThis as { gc?: () => void }).gc?.();
          await new Promise((resolve) => setTimeout(resolve, 5));
          (globalThis as { gc?: () => void }).gc?.();
          send({ id: request.id, ok: true, value: process.memoryUsage() });
          break;
        case "active":
          send({ id: request.id, ok: true, value: running?.activeConnections() ?? 0 });
          break;
        case "close":
          await running?.close(request.graceMs);
          send({ id: request.id, ok: true, value: null });
          break;
      }
    } catch (err) {
      send({ id: request.id, ok: false, error: String((err as Error).stack ?? err) });
    }
  })();
});
process.on("disconnect", () => process.exit(0));
