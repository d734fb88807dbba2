// `GET /status` (issue 15): the node's state as one JSON document, from what the process that owns
// the admin listener knows (config history, certificates, the peer probe, the workers) and the boards
// of the processes that serve tunnels (one, or every worker's merged). The shape is documented in
// docs/operations.md; it carries no key material, passphrases or credentials.
import type { LoadedConfig } from "@tlsbridge/config";
import type { ConfigHistoryView } from "./config-history.ts";
import type { PeerState } from "./peer-probe.ts";
import { RECENT_REFUSALS } from "./status-board.ts";
import type { BoardSnapshot, RecentRefusal } from "./status-board.ts";
import { programVersion } from "./version.ts";

const DAY_MS = 86_400_000;

/** A worker process as the status page lists it (supervisor only). */
export type WorkerView = {
  readonly slot: number;
  readonly pid: number | undefined;
  readonly upSince: string;
  /** How many times this slot's worker died and was replaced. */
  readonly restarts: number;
  readonly listening: boolean;
  /** False when it did not answer the status request in time (its tunnels are then missing). */
  readonly answered: boolean;
};

/** The `/status` document. */
export type NodeStatus = {
  readonly node: {
    readonly name: string;
    readonly role: "ingress" | "peer";
    readonly version: string;
    readonly pid: number;
    readonly startedAt: string;
    readonly uptimeSeconds: number;
  };
  readonly generatedAt: string;
  readonly config: ConfigHistoryView & { readonly file: string };
  readonly tunnels: BoardSnapshot["tunnels"];
  readonly peers: ReadonlyArray<{
    readonly name: string;
    readonly address: string;
    /** From the readiness probe: `unknown` before its first result, or when the node runs no probe. */
    readonly state: "up" | "down" | "unknown";
    /** Taken out of rotation by peer health (a peer group), in at least one worker. */
    readonly ejected: boolean;
    readonly lastProbe?: string;
    /** The last completed TLS handshake, by the probe or by a tunnel. */
    readonly lastHandshake?: string;
    /** The last failed probe's error, also after the peer is up again, and when it was. */
    readonly lastError?: string;
    readonly lastErrorAt?: string;
  }>;
  readonly certificates: ReadonlyArray<{
    readonly file: string;
    readonly role: "ca" | "cert";
    readonly subject: string;
    readonly notAfter: string;
    readonly daysLeft: number;
  }>;
  readonly rules: ReadonlyArray<{
    readonly site: string;
    readonly index: number;
    readonly match: string;
    readonly peer: string;
    /** `file:line:column` of the rule. */
    readonly at: string;
    readonly hits: number;
  }>;
  readonly refusals: { readonly recent: readonly RecentRefusal[]; readonly byCause: Record<string, number> };
  /** Empty when the node runs in one process (`workers: 1`). */
  readonly workers: readonly WorkerView[];
};

/** What the status is built from. */
export type NodeStatusInputs = {
  readonly current: LoadedConfig;
  readonly history: ConfigHistoryView;
  readonly startedAt: Date;
  /** Undefined on a peer, or an ingress without the probe. */
  readonly probe: readonly PeerState[] | undefined;
  readonly boards: readonly BoardSnapshot[];
  readonly workers: readonly WorkerView[];
};

/** Builds the `/status` document. */
export function nodeStatus(inputs: NodeStatusInputs, now: Date = new Date()): NodeStatus {
  const { current, history } = inputs;
  const board = mergeBoards(inputs.boards);
  return {
    node: {
      name: current.options.nodeName,
      role: current.kind,
      version: programVersion(),
      pid: process.pid,
      startedAt: inputs.startedAt.toISOString(),
      uptimeSeconds: Math.floor((now.getTime() - inputs.startedAt.getTime()) / 1000),
    },
    generatedAt: now.toISOString(),
    config: { file: current.file, ...history },
    tunnels: board.tunnels,
    peers: peersOf(inputs, board),
    certificates: current.certificates.map((c) => ({
      file: c.file, role: c.role, subject: c.subject, notAfter: c.notAfter,
      daysLeft: Math.floor((new Date(c.notAfter).getTime() - now.getTime()) / DAY_MS),
    })),
    rules: current.kind !== "ingress" ? [] : current.options.listeners.flatMap((listener) => listener.rules.rules.map((rule) => ({
      site: listener.site, index: rule.index, match: rule.match, peer: rule.peer, at: `${rule.file}:${rule.line}:${rule.column}`,
      hits: board.ruleHits[`${listener.site}\n${rule.index}`] ?? 0,
    }))),
    refusals: { recent: board.recentRefusals, byCause: board.refusalsByCause },
    workers: inputs.workers,
  };
}

function peersOf(inputs: NodeStatusInputs, board: BoardSnapshot): NodeStatus["peers"] {
  if (inputs.current.kind !== "ingress") return [];
  const probed = new Map(inputs.probe?.map((s) => [s.peer, s]));
  return [...inputs.current.options.peers.values()].map((peer) => {
    const probe = probed.get(peer.name);
    const seen = board.peers[peer.name];
    const lastHandshake = latest(probe?.upAt, seen?.lastHandshake);
    return {
      name: peer.name,
      address: `${peer.host}:${peer.port}`,
      state: probe?.up === true ? "up" : probe?.up === false ? "down" : "unknown",
      ejected: seen?.ejected ?? false,
      ...(probe?.probedAt !== undefined ? { lastProbe: probe.probedAt } : {}),
      ...(lastHandshake !== undefined ? { lastHandshake } : {}),
      ...(probe?.error !== undefined ? { lastError: probe.error, ...(probe.errorAt !== undefined ? { lastErrorAt: probe.errorAt } : {}) } : {}),
    };
  });
}

/** The later of two ISO 8601 times (they compare as strings). */
function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/** Sums the boards of several processes; the refusal rings are merged newest first and cut to the ring size. */
export function mergeBoards(boards: readonly BoardSnapshot[]): BoardSnapshot {
  const sum = (pick: (b: BoardSnapshot) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const b of boards) for (const [k, v] of Object.entries(pick(b))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const peers: Record<string, { lastHandshake?: string; ejected: boolean }> = {};
  for (const b of boards) {
    for (const [name, p] of Object.entries(b.peers)) {
      const lastHandshake = latest(peers[name]?.lastHandshake, p.lastHandshake);
      peers[name] = { ...(lastHandshake !== undefined ? { lastHandshake } : {}), ejected: (peers[name]?.ejected ?? false) || p.ejected };
    }
  }
  return {
    tunnels: {
      open: boards.reduce((n, b) => n + b.tunnels.open, 0),
      bySite: sum((b) => b.tunnels.bySite),
      byPeer: sum((b) => b.tunnels.byPeer),
      byIngress: sum((b) => b.tunnels.byIngress),
    },
    recentRefusals: boards.flatMap((b) => b.recentRefusals).sort((x, y) => (x.time < y.time ? 1 : x.time > y.time ? -1 : 0)).slice(0, RECENT_REFUSALS),
    refusalsByCause: sum((b) => b.refusalsByCause),
    ruleHits: sum((b) => b.ruleHits),
    peers,
  };
}
