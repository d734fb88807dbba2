// The prom-client side of the metrics: the TunnelMetrics sink the roles call, kept in a
// registry of its own (so worker processes can hand it to the supervisor for aggregation), and the
// node-level gauges only the process that owns the admin listener keeps (certificates, reloads, peers).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TunnelMetrics } from "@tlsbridge/transport";
import type { CertificateInfo } from "@tlsbridge/config";

/** Seconds buckets for tunnel setup and peer handshakes: 1 ms to 10 s. */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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
  const registers = [registry];
  const active = new Gauge({
    name: "tlsbridge_tunnels_active", help: "Tunnels established and not yet closed.", registers,
  });
  const total = new Counter({
    name: "tlsbridge_tunnels_total",
    help: "Tunnels by outcome: how an established tunnel ended (done, idle_timeout, client_reset, ...) or refused.",
    labelNames: ["outcome"] as const, registers,
  });
  const refused = new Counter({
    name: "tlsbridge_tunnel_refusals_total",
    help: "Requests answered with an error status instead of a tunnel, by status and Proxy-Status error type.",
    labelNames: ["status", "error"] as const, registers,
  });
  const bytes = new Counter({
    name: "tlsbridge_tunnel_bytes_total",
    help: "Bytes carried by closed tunnels: up is client to service, down is service to client.",
    labelNames: ["direction"] as const, registers,
  });
  const setup = new Histogram({
    name: "tlsbridge_tunnel_setup_seconds",
    help: "Time from accepting a connection to the tunnel being established.",
    buckets: SECONDS_BUCKETS, registers,
  });
  const handshake = new Histogram({
    name: "tlsbridge_peer_handshake_seconds",
    help: "Ingress: TCP connect plus TLS handshake with a peer, by peer and whether the session was resumed.",
    labelNames: ["peer", "resumed"] as const, buckets: SECONDS_BUCKETS, registers,
  });
  const dialFailures = new Counter({
    name: "tlsbridge_dial_failures_total",
    help: "Failed dials of the next hop (ingress: the peer; peer: the service) by Proxy-Status error type.",
    labelNames: ["error"] as const, registers,
  });
  const corporateProxyFailures = new Counter({
    name: "tlsbridge_corporate_proxy_failures_total",
    help: "Ingress: failures at the corporate proxy a peer is reached through (`via:`), by proxy and Proxy-Status error type.",
    labelNames: ["proxy", "error"] as const, registers,
  });
  const ejections = new Counter({
    name: "tlsbridge_peer_ejections_total",
    help: "Ingress: peer group members taken out of rotation, by peer and reason (probe: failed probes; dial: failed tunnel dials).",
    labelNames: ["peer", "reason"] as const, registers,
  });
  const returns = new Counter({
    name: "tlsbridge_peer_returns_total",
    help: "Ingress: ejected peer group members back in rotation after passing their probes.",
    labelNames: ["peer"] as const, registers,
  });
  const ruleHits = new Counter({
    name: "tlsbridge_rule_hits_total",
    help: "Ingress: requests routed by each rule (site, 0-based index in the site's rule file).",
    labelNames: ["site", "rule"] as const, registers,
  });
  const clientsRefused = new Counter({
    name: "tlsbridge_clients_refused_total",
    help: "Ingress: connections reset at accept because the client's address is in no network of the listener's clients list, by site.",
    labelNames: ["site"] as const, registers,
  });
  const authRefusals = new Counter({
    name: "tlsbridge_proxy_auth_refusals_total",
    help: "Ingress: proxy logins refused (407, or 503 when busy), by reason: missing, malformed, user, password, throttled, busy.",
    labelNames: ["reason"] as const, registers,
  });
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
  const registers = [registry];
  const expiry = new Gauge({
    name: "tlsbridge_certificate_expiry_timestamp_seconds",
    help: "notAfter of each loaded certificate (seconds since the epoch), by file, role (ca or cert) and subject.",
    labelNames: ["file", "role", "subject"] as const, registers,
  });
  const reloads = new Counter({
    name: "tlsbridge_config_reloads_total",
    help: "Reloads by result: applied, rejected (invalid files; the old config keeps serving), restart_needed.",
    labelNames: ["result"] as const, registers,
  });
  const peerUp = new Gauge({
    name: "tlsbridge_peer_up",
    help: "Ingress: 1 when the last readiness probe (TCP + TLS handshake) of a peer succeeded, else 0.",
    labelNames: ["peer"] as const, registers,
  });
  const workers = new Gauge({ name: "tlsbridge_workers_ready", help: "Worker processes listening.", registers });
  const replaced = new Counter({
    name: "tlsbridge_worker_restarts_total", help: "Worker processes that died and were replaced.", registers,
  });
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
