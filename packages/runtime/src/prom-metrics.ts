// The prom-client side of the metrics: the TunnelMetrics sink the roles call, kept in a
// registry of its own (so worker processes can hand it to the supervisor for aggregation), and the
// node-level gauges only the process that owns the admin listener keeps (certificates, reloads, peers),
// each built from its row in metric-table.ts.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TunnelMetrics } from "@tlsbridge/transport";
import type { CertificateInfo } from "@tlsbridge/config";
import { NODE_METRICS, TUNNEL_METRICS } from "./metric-table.ts";
import type { MetricRow } from "./metric-table.ts";

/** The prom-client metric a row of the metric table becomes, with its label names typed. */
type MetricOf<R extends MetricRow> = R extends { readonly kind: "counter" } ? Counter<R["labels"][number]>
  : R extends { readonly kind: "gauge" } ? Gauge<R["labels"][number]>
  : Histogram<R["labels"][number]>;

/** Creates each row's metric in `registry`, under the row's key. */
function registerMetrics<T extends Readonly<Record<string, MetricRow>>>(rows: T, registry: Registry): { [K in keyof T]: MetricOf<T[K]> } {
  const registers = [registry];
  const built = Object.entries(rows).map(([key, row]) => {
    const common = { name: row.name, help: row.help, labelNames: row.labels, registers };
    if (row.kind === "histogram") return [key, new Histogram({ ...common, buckets: [...row.buckets] })];
    return [key, row.kind === "counter" ? new Counter(common) : new Gauge(common)];
  });
  return Object.fromEntries(built) as { [K in keyof T]: MetricOf<T[K]> };
}

/** The tunnel metrics of one serving process and the sink that feeds them. */
export type PromTunnelMetrics = {
  readonly registry: Registry;
  readonly sink: TunnelMetrics;
};

/**
 * Creates the tunnel metrics (`tlsbridge_tunnel*`, `tlsbridge_dial_failures_total`, ...) in a new
 * registry, with prom-client's process metrics beside them (`process_*` CPU, memory and fds,
 * `nodejs_*` event loop lag, heap and GC by kind), which workers hand over like the rest.
 */
export function createTunnelMetrics(): PromTunnelMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { active, total, refused, bytes, setup, handshake, dialFailures, corporateProxyFailures, ejections, returns, ruleHits, clientsRefused, authRefusals } =
    registerMetrics(TUNNEL_METRICS, registry);
  const sink: TunnelMetrics = {
    tunnelOpened: (setupSeconds) => {
      active.inc();
      setup.observe(setupSeconds);
    },
    tunnelClosed: (facts) => {
      active.dec();
      total.inc({ outcome: facts.outcome });
      bytes.inc({ direction: "up" }, facts.bytesUp);
      bytes.inc({ direction: "down" }, facts.bytesDown);
    },
    tunnelRefused: (status, error) => {
      total.inc({ outcome: "refused" });
      refused.inc({ status: String(status), error });
    },
    dialFailed: (error) => dialFailures.inc({ error }),
    ruleHit: (site, rule) => ruleHits.inc({ site, rule: String(rule) }),
    clientRefused: (site) => clientsRefused.inc({ site }),
    peerHandshake: (peer, seconds, resumed) => handshake.observe({ peer, resumed: String(resumed) }, seconds),
    proxyAuthRefused: (reason) => authRefusals.inc({ reason }),
    corporateProxyFailed: (proxy, error) => corporateProxyFailures.inc({ proxy, error }),
    peerEjected: (peer, reason) => ejections.inc({ peer, reason }),
    peerReturned: (peer) => returns.inc({ peer }),
  };
  // Zero series exist from the start, so a scrape before any traffic shows them (rate() needs a 0).
  bytes.inc({ direction: "up" }, 0);
  bytes.inc({ direction: "down" }, 0);
  total.inc({ outcome: "done" }, 0);
  return { registry, sink };
}

/** Node-level metrics, kept by the process that serves the admin listener. */
export type NodeMetrics = {
  readonly registry: Registry;
  /** Replaces the certificate expiry series with those of the current config. */
  readonly setCertificates: (certificates: readonly CertificateInfo[]) => void;
  readonly reloaded: (result: "applied" | "rejected" | "restart_needed") => void;
  readonly peerState: (peer: string, up: boolean) => void;
  /** Supervisor: workers listening now, and one more replaced worker. */
  readonly workersReady: (count: number) => void;
  readonly workerReplaced: () => void;
};

/** Creates the node-level metrics in a new registry. */
export function createNodeMetrics(): NodeMetrics {
  const registry = new Registry();
  const { expiry, reloads, peerUp, workers, replaced } = registerMetrics(NODE_METRICS, registry);
  for (const result of ["applied", "rejected", "restart_needed"]) reloads.inc({ result }, 0);
  return {
    registry,
    setCertificates: (certificates) => {
      expiry.reset();
      for (const c of certificates) {
        expiry.set({ file: c.file, role: c.role, subject: c.subject }, Math.floor(new Date(c.notAfter).getTime() / 1000));
      }
    },
    reloaded: (result) => reloads.inc({ result }),
    peerState: (peer, up) => peerUp.set({ peer }, up ? 1 : 0),
    workersReady: (count) => workers.set(count),
    workerReplaced: () => replaced.inc(),
  };
}
