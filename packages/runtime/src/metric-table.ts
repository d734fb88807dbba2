// Every tlsbridge_* metric as one row (kind, name, help, labels): prom-metrics.ts builds the
// prom-client metrics from these rows, and test/architecture checks docs/operations.md's metrics
// table against them, so a metric cannot be added, renamed or relabelled in one place only.

/** Seconds buckets for tunnel setup and peer handshakes: 1 ms to 10 s. */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** One metric: its Prometheus type, name, help text and label names (histograms: their buckets). */
export type MetricRow =
  | { readonly kind: "counter" | "gauge"; readonly name: string; readonly help: string; readonly labels: readonly string[] }
  | { readonly kind: "histogram"; readonly name: string; readonly help: string; readonly labels: readonly string[]; readonly buckets: readonly number[] };

/** The metrics of every serving process (workers hand them to the supervisor), by the sink's name for them. */
export const TUNNEL_METRICS = {
  active: { kind: "gauge", name: "tlsbridge_tunnels_active", help: "Tunnels established and not yet closed.", labels: [] },
  total: {
    kind: "counter", name: "tlsbridge_tunnels_total",
    help: "Tunnels by outcome: how an established tunnel ended (done, idle_timeout, client_reset, ...) or refused.",
    labels: ["outcome"],
  },
  refused: {
    kind: "counter", name: "tlsbridge_tunnel_refusals_total",
    help: "Requests answered with an error status instead of a tunnel, by status and Proxy-Status error type.",
    labels: ["status", "error"],
  },
  bytes: {
    kind: "counter", name: "tlsbridge_tunnel_bytes_total",
    help: "Bytes carried by closed tunnels: up is client to service, down is service to client.",
    labels: ["direction"],
  },
  setup: {
    kind: "histogram", name: "tlsbridge_tunnel_setup_seconds",
    help: "Time from accepting a connection to the tunnel being established.",
    labels: [], buckets: SECONDS_BUCKETS,
  },
  handshake: {
    kind: "histogram", name: "tlsbridge_peer_handshake_seconds",
    help: "Ingress: TCP connect plus TLS handshake with a peer, by peer and whether the session was resumed.",
    labels: ["peer", "resumed"], buckets: SECONDS_BUCKETS,
  },
  dialFailures: {
    kind: "counter", name: "tlsbridge_dial_failures_total",
    help: "Failed dials of the next hop (ingress: the peer; peer: the service) by Proxy-Status error type.",
    labels: ["error"],
  },
  corporateProxyFailures: {
    kind: "counter", name: "tlsbridge_corporate_proxy_failures_total",
    help: "Ingress: failures at the corporate proxy a peer is reached through (`via:`), by proxy and Proxy-Status error type.",
    labels: ["proxy", "error"],
  },
  ejections: {
    kind: "counter", name: "tlsbridge_peer_ejections_total",
    help: "Ingress: peer group members taken out of rotation, by peer and reason (probe: failed probes; dial: failed tunnel dials).",
    labels: ["peer", "reason"],
  },
  returns: {
    kind: "counter", name: "tlsbridge_peer_returns_total",
    help: "Ingress: ejected peer group members back in rotation after passing their probes.",
    labels: ["peer"],
  },
  ruleHits: {
    kind: "counter", name: "tlsbridge_rule_hits_total",
    help: "Ingress: requests routed by each rule (site, 0-based index in the site's rule file).",
    labels: ["site", "rule"],
  },
  clientsRefused: {
    kind: "counter", name: "tlsbridge_clients_refused_total",
    help: "Ingress: connections reset at accept because the client's address is in no network of the listener's clients list, by site.",
    labels: ["site"],
  },
  authRefusals: {
    kind: "counter", name: "tlsbridge_proxy_auth_refusals_total",
    help: "Ingress: proxy logins refused (407, or 503 when busy), by reason: missing, malformed, user, password, throttled, busy.",
    labels: ["reason"],
  },
} as const satisfies Record<string, MetricRow>;

/** The node-level metrics, kept by the process that serves the admin listener. */
export const NODE_METRICS = {
  expiry: {
    kind: "gauge", name: "tlsbridge_certificate_expiry_timestamp_seconds",
    help: "notAfter of each loaded certificate (seconds since the epoch), by file, role (ca or cert) and subject.",
    labels: ["file", "role", "subject"],
  },
  reloads: {
    kind: "counter", name: "tlsbridge_config_reloads_total",
    help: "Reloads by result: applied, rejected (invalid files; the old config keeps serving), restart_needed.",
    labels: ["result"],
  },
  peerUp: {
    kind: "gauge", name: "tlsbridge_peer_up",
    help: "Ingress: 1 when the last readiness probe (TCP + TLS handshake) of a peer succeeded, else 0.",
    labels: ["peer"],
  },
  workers: { kind: "gauge", name: "tlsbridge_workers_ready", help: "Worker processes listening.", labels: [] },
  replaced: { kind: "counter", name: "tlsbridge_worker_restarts_total", help: "Worker processes that died and were replaced.", labels: [] },
} as const satisfies Record<string, MetricRow>;
