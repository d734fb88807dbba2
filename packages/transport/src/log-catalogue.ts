// The one typed source of every log line either node writes (issue 15): per event its nodes, levels,
// when it is written and its fields. Log calls are typed against it (log-event.ts), the table in
// docs/log-events.md is generated from it (scripts/docs-tables.ts), and a test running real nodes
// checks every line they write against it. Event names and fields are API: add freely, never rename
// casually.

/** A field's JSON type as written on the line (`error`: pino's serialised Error, an object with `message`). */
export type LogFieldType =
  | "string" | "number" | "boolean" | "string[]" | "object" | "object[]" | "error"
  | "number|null" | "string|null" | "string|false";

/** One field: its type, what it says, whether every line of the event carries it (on `node` only, when set). */
export type LogFieldSpec = {
  readonly type: LogFieldType;
  readonly about: string;
  readonly required?: true;
  /** Written by this node only. */
  readonly node?: "ingress" | "peer";
  /** Carried by the logger's bindings (a child logger), not written by the call. */
  readonly bound?: true;
};

/** pino's level names, as used by the nodes. */
export type LogLevelName = "debug" | "info" | "warn" | "error" | "fatal";

/** One event: who writes it, at which levels, when, and with which fields. */
export type LogEventSpec = {
  readonly nodes: "ingress" | "peer" | "both";
  readonly levels: readonly LogLevelName[];
  readonly when: string;
  readonly fields: Readonly<Record<string, LogFieldSpec>>;
};

const OUTCOMES = "`done`, `idle_timeout`, `lifetime_exceeded`, `client_reset`, `upstream_reset`, `client_lost`, `upstream_lost`, "
  + "`client_error`, `upstream_error`, `aborted`";

/**
 * Fields any line may carry besides its event's: pino's, the node's (bound at start), and a
 * connection's (bound on its child logger, enriched after routing).
 */
export const COMMON_LOG_FIELDS = {
  level: { type: "number", about: "pino's number: 20 debug, 30 info, 40 warn, 50 error, 60 fatal", required: true },
  time: { type: "string", about: "ISO 8601 in UTC, e.g. `2026-12-02T22:14:47.858Z`", required: true },
  pid: { type: "number", about: "the process id", required: true },
  role: { type: "string", about: "`ingress` or `peer`", required: true },
  event: { type: "string", about: "the event name", required: true },
  msg: { type: "string", about: "what happened, for a person", required: true },
  node: { type: "string", about: "the node's name from its config, from `config.loaded` on" },
  worker: { type: "number", about: "the worker's 1-based id, under a supervisor (`workers` > 1)" },
  tunnel: { type: "string", about: "the correlation id both nodes log for the same tunnel; the ingress sends it to the peer in `Tlsbridge-Tunnel-Id`" },
  client: { type: "string", about: "the client's `address:port` (ingress: as the socket saw it; peer: as the ingress named it in the replayed CONNECT's `Forwarded`)" },
  remote: { type: "string", about: "peer: the ingress's `address:port`" },
  ingress: { type: "string", about: "peer: the ingress's certificate CN" },
  protocol: { type: "string", about: "ingress: the listener's front door, `http`, `socks5` or `sni` (the events and fields are the same whichever door)" },
  user: { type: "string", about: "the proxy user, once a listener with proxy authentication accepted the client's credential (peer: as the ingress named it)" },
  site: { type: "string", about: "ingress: the listener (its rule file's site)" },
  target: { type: "string", about: "the CONNECT target, `host:port`" },
  rule: { type: "number", about: "ingress: the index of the rule that matched, from 0" },
  peer: { type: "string", about: "ingress: the peer the tunnel goes to" },
  mode: { type: "string", about: "peer: `h2` on lines of a tunnel that came over the multiplexed mode" },
} as const satisfies Readonly<Record<string, LogFieldSpec>>;

const CONFIG_SUMMARY = {
  file: { type: "string", about: "the config", required: true },
  shutdownGraceMs: { type: "number", about: "the shutdown's grace period", required: true },
  keyExchangeGroups: { type: "string", about: "the TLS key exchange groups between the nodes", required: true },
  limits: { type: "object", about: "every limit in force", required: true },
  listeners: { type: "object[]", about: "each: `site`, `listen`, `tls`, `rules` file, `ruleCount`, `clients`", node: "ingress" },
  peers: { type: "object[]", about: "each: `name`, `address`, `servername`, `via`", node: "ingress" },
  listen: { type: "string", about: "the listener's address", node: "peer" },
  allow: { type: "object[]", about: "each: `match`, `ports`, `proxyProtocol`", node: "peer" },
} as const satisfies Readonly<Record<string, LogFieldSpec>>;

const RELOAD_TRIGGER = {
  trigger: { type: "string", about: "`SIGHUP`, `file`, `supervisor`", required: true },
  files: { type: "string[]", about: "the files that changed, when watched" },
} as const satisfies Readonly<Record<string, LogFieldSpec>>;

const REFUSAL = {
  code: { type: "string", about: "our `TLSB_ERR_*` code (docs/errors.md)", required: true },
  status: { type: "number", about: "the HTTP status answered (or that the same refusal gets over HTTP, whatever the door answered)", required: true },
  reason: { type: "string", about: "what was refused and why", required: true },
} as const satisfies Readonly<Record<string, LogFieldSpec>>;

/** Every event either node writes. */
export const LOG_CATALOGUE = {
  startup: {
    nodes: "both", levels: ["info"], when: "the program starts",
    fields: {
      version: { type: "string", about: "tlsbridge's", required: true },
      nodeVersion: { type: "string", about: "Node's, e.g. `v24.11.1`", required: true },
      config: { type: "string", about: "the path given", required: true },
      allocator: { type: "string", about: "`jemalloc` when it is preloaded, as in the image; `system`: glibc's malloc, which keeps what a burst of tunnels freed (operations.md \"Memory\")", required: true },
    },
  },
  listening: {
    nodes: "both", levels: ["info"], when: "a listener is bound",
    fields: {
      address: { type: "string", about: "`address:port`", required: true },
      tls: { type: "boolean", about: "a TLS listener", required: true },
      site: { type: "string", about: "the listener's site", node: "ingress" },
      protocol: { type: "string", about: "the listener's front door", node: "ingress" },
    },
  },
  "listen.failed": {
    nodes: "both", levels: ["error"],
    when: "a listener (or the admin listener) could not bind at start: the address is in use, a port below 1024 without the capability, an address the host does not have; the node exits 1 after one line on stderr (`tlsbridge ingress: cannot listen on 127.0.0.1:8080: the address is already in use (another process listens there)`)",
    fields: {
      address: { type: "string", about: "`address:port`", required: true },
      code: { type: "string", about: "`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`", required: true },
    },
  },
  "config.loaded": {
    nodes: "both", levels: ["info"], when: "a config was loaded and validated",
    fields: CONFIG_SUMMARY,
  },
  "config.rejected": {
    nodes: "both", levels: ["error"], when: "a config (or reload) failed validation, or a reload failed to apply; on a reload the old config keeps serving",
    fields: {
      problems: { type: "object[]", about: "each: `file`, `line`, `column`, `message`, and `namedFile`: the absolute path of a file the config names that could not be read or used (a rejected reload watches it)" },
      errors: { type: "string[]", about: "`file:line:col: message` each" },
      reload: { type: "boolean", about: "true on a reload" },
      trigger: { type: "string", about: "a reload's trigger: `SIGHUP`, `file`, `supervisor`" },
      files: RELOAD_TRIGGER.files,
      err: { type: "error", about: "a reload that validated but failed to apply" },
    },
  },
  "config.reloaded": {
    nodes: "both", levels: ["info"],
    when: "a reload (SIGHUP or a watched file changed) was validated and applied to new tunnels; open tunnels are untouched",
    fields: { ...RELOAD_TRIGGER, durationMs: { type: "number", about: "how long the reload took", required: true }, ...CONFIG_SUMMARY },
  },
  "config.unchanged": {
    nodes: "both", levels: ["info"],
    when: "a reload was asked for (SIGHUP, a watched file event) but no file the last reload read has changed since: nothing to do (one edit followed by SIGHUP is one reload)",
    fields: RELOAD_TRIGGER,
  },
  "config.restart.needed": {
    nodes: "both", levels: ["warn"],
    when: "a reload changed something that only a restart applies (listener addresses, `workers`, `admin`); the rest of the reload is applied unless the listeners themselves changed",
    fields: {
      ...RELOAD_TRIGGER,
      changes: { type: "string[]", about: "one line per difference, naming the listener: `listener hq (127.0.0.1:8080): TLS off -> on`, `listener lab (...) added`; also in `msg`", required: true },
      applied: { type: "boolean", about: "whether the rest of the reload was applied", required: true },
    },
  },
  "config.warning": {
    nodes: "ingress", levels: ["warn"],
    when: "at start and after every applied reload, for a part of the config that is valid but almost certainly not meant: a site's rule file with no rules (`rules: []`: every CONNECT to that listener gets 403); `tlsbridge check` prints the same lines; `msg` names the rule file and the listener",
    fields: { file: { type: "string", about: "the config", required: true } },
  },
  "cert.loaded": {
    nodes: "both", levels: ["info", "warn"],
    when: "a certificate was loaded: at start every one, after a reload those that are new or changed (warn, at start and after every reload, when it is expired, not yet valid or expires within 30 days)",
    fields: {
      file: { type: "string", about: "the PEM file", required: true },
      certRole: { type: "string", about: "`ca` or `cert`", required: true },
      subject: { type: "string", about: "the certificate's subject", required: true },
      issuer: { type: "string", about: "its issuer", required: true },
      fingerprint256: { type: "string", about: "its SHA-256 fingerprint", required: true },
      notBefore: { type: "string", about: "start of validity", required: true },
      notAfter: { type: "string", about: "end of validity", required: true },
      daysLeft: { type: "number", about: "whole days until `notAfter`, negative once expired", required: true },
    },
  },
  "client.refused": {
    nodes: "ingress", levels: ["info"],
    when: "a client whose address is in no network of the listener's `clients:` list connected; it was reset at accept, before any byte of it was read (each one counted in `tlsbridge_clients_refused_total`; at most one line per client address and listener a minute)",
    fields: {
      client: { type: "string", about: "`address:port` as the socket saw it", required: true },
      site: { type: "string", about: "the listener", required: true },
      suppressed: { type: "number", about: "refusals of that address not logged since its previous line" },
    },
  },
  "request.rejected": {
    nodes: "both", levels: ["info", "debug"],
    when: "a request was refused before routing (bad head, wrong method, timeout; SOCKS5: a malformed message, no acceptable method, BIND or UDP ASSOCIATE; SNI: not TLS, a malformed, truncated or oversize ClientHello, no server_name); at debug, a client (or at the peer an ingress, or its HTTP/2 session) that left before a request",
    fields: {
      code: { type: "string", about: "our `TLSB_ERR_*` code (absent at debug)" },
      status: { type: "number", about: "the HTTP status the same refusal gets over HTTP, whatever the door answered (absent at debug)" },
      reason: { type: "string", about: "what was refused and why" },
      err: { type: "error", about: "peer, debug: the HTTP/2 session's error" },
    },
  },
  "client.tls.failed": {
    nodes: "ingress", levels: ["info"],
    when: "a client's TLS handshake on an HTTPS-proxy listener failed: it does not trust the listener's certificate (an alert such as `tlsv1 alert unknown ca`), sent plain HTTP to the TLS port, timed out; at most one line per client address and listener a minute",
    fields: {
      client: { type: "string", about: "the client's address", required: true },
      remote: { type: "string", about: "`address:port`", required: true },
      kind: { type: "string", about: "`certificate`, `protocol`, `timeout`", required: true },
      reason: { type: "string", about: "OpenSSL's words, with a hint for the usual cause", required: true },
      code: { type: "string", about: "e.g. `ERR_SSL_WRONG_VERSION_NUMBER`" },
      suppressed: { type: "number", about: "failures from that address not logged since its previous line" },
    },
  },
  "route.match": {
    nodes: "ingress", levels: ["debug"], when: "a rule matched (the line carries `target` and `rule`)",
    fields: { peer: { type: "string", about: "the rule's peer or peer group", required: true } },
  },
  "route.miss": {
    nodes: "ingress", levels: ["info"], when: "no rule matched (403)",
    fields: { target: { type: "string", about: "the CONNECT target", required: true } },
  },
  "peer.dial.failed": {
    nodes: "ingress", levels: ["info"], when: "the peer could not be reached, failed TLS, or answered badly",
    fields: REFUSAL,
  },
  "peer.failover": {
    nodes: "ingress", levels: ["warn"], when: "a peer of a peer group could not be dialed; the next member is tried",
    fields: {
      peer: { type: "string", about: "the member that failed", required: true },
      next: { type: "string", about: "the member tried next", required: true },
      code: { type: "string", about: "our `TLSB_ERR_*` code of the failure", required: true },
      reason: { type: "string", about: "what failed", required: true },
    },
  },
  "peer.pool.dial.failed": {
    nodes: "ingress", levels: ["debug"],
    when: "a warm pool connection could not be opened, or the peer closed or answered one before a tunnel took it (e.g. it refused our certificate): refilled after a backoff",
    fields: {
      err: { type: "error", about: "what failed", required: true },
      retryInMs: { type: "number", about: "the backoff", required: true },
    },
  },
  "peer.ticket.refused": {
    nodes: "ingress", levels: ["warn"],
    when: "a TLS handshake that offered a session ticket failed (squid 5.7 answers a resumption with an internal_error alert) and the full handshake retried at once worked: the peer is offered no ticket for `ticketsOffAfterMs`; logged once per peer and process. A retry that fails too is the dial's failure, not this event",
    fields: {
      peer: { type: "string", about: "the peer", required: true, bound: true },
      err: { type: "error", about: "the failed resumption", required: true },
      ticketsOffAfterMs: { type: "number", about: "how long no ticket is offered", required: true },
    },
  },
  "peer.h2.error": {
    nodes: "ingress", levels: ["info"], when: "the shared HTTP/2 connection to a peer failed (the next tunnel reconnects)",
    fields: { err: { type: "error", about: "what failed", required: true } },
  },
  "peer.response": {
    nodes: "ingress", levels: ["info"], when: "the peer refused the tunnel (its status is relayed)",
    fields: { status: { type: "number", about: "the peer's status", required: true } },
  },
  "via.proxy.failed": {
    nodes: "ingress", levels: ["warn"],
    when: "the corporate proxy a peer is reached through (`via:`) refused, timed out, asked for credentials (407) or answered garbage: the proxy's hop failed, not the peer's (502/504 with `next-hop` naming the proxy)",
    fields: {
      hop: { type: "string", about: "`corporate-proxy`", required: true },
      proxy: { type: "string", about: "the proxy", required: true },
      ...REFUSAL,
      receivedStatus: { type: "number", about: "the proxy's status, when it answered one" },
    },
  },
  "service.dial.failed": {
    nodes: "peer", levels: ["info"], when: "the service could not be reached (DNS, refused, timeout)",
    fields: REFUSAL,
  },
  "destination.denied": {
    nodes: "peer", levels: ["info"],
    when: "the target is not in the allow list for this ingress, or resolved only to addresses its entries do not admit (403)",
    fields: { ...REFUSAL, address: { type: "string", about: "the refused address, for `TLSB_ERR_DESTINATION_ADDRESS`" } },
  },
  "destination.addresses.dropped": {
    nodes: "peer", levels: ["info"],
    when: "the target's DNS answer held addresses its allow entries do not admit beside ones they do: those were dropped and only the admitted ones dialed (a rebinding attempt, or a name with more addresses than its entry lists)",
    fields: {
      dropped: { type: "string[]", about: "the addresses left out", required: true },
      kept: { type: "number", about: "how many addresses were admitted and tried", required: true },
      reason: { type: "string", about: "why the first was left out", required: true },
    },
  },
  "auth.granted": {
    nodes: "both", levels: ["debug"],
    when: "peer: an ingress authenticated with its client certificate; ingress: a client's proxy credential was accepted (the line carries `user`)",
    fields: {
      fingerprint256: { type: "string", about: "the ingress certificate's", node: "peer" },
      resumed: { type: "boolean", about: "a resumed TLS session", node: "peer" },
      remote: { type: "string", about: "the ingress's `address:port` (mode h2)", node: "peer" },
      ingress: { type: "string", about: "the certificate's CN (mode h2)", node: "peer" },
      mode: { type: "string", about: "`h2` (mode h2)", node: "peer" },
      cached: { type: "boolean", about: "true when the verification was remembered, no scrypt run", node: "ingress" },
    },
  },
  "auth.denied": {
    nodes: "both", levels: ["warn", "info"],
    when: "peer: an ingress failed the TLS handshake, its certificate was refused, or it names none of the pinned `ingresses`; ingress: it refused the peer's certificate, the peer refused the ingress's (502 `tls_certificate_error`), or a client's proxy credential was missing or wrong (407; info when none was sent, which is how many clients start; never the password or the header)",
    fields: {
      reason: { type: "string", about: "`certificate`, `protocol`, `timeout`; peer pinning: `name`; proxy auth: `missing`, `malformed`, `user` (no such user), `password`, `throttled` (too many failures from the client's address: 407 without checking; warn for the first of the window, info for the rest), `busy` (info: too many checks running, answered 503 `TLSB_ERR_AUTH_BUSY`)", required: true },
      err: { type: "error", about: "exactly what failed" },
      remote: { type: "string", about: "the ingress's `address:port`", node: "peer" },
      names: { type: "string[]", about: "pinning: the certificate's DNS names, then CN", node: "peer" },
      fingerprint256: { type: "string", about: "pinning: the certificate's", node: "peer" },
      code: { type: "string", about: "certificate: our `TLSB_ERR_*` code", node: "ingress" },
      status: { type: "number", about: "certificate: the status answered", node: "ingress" },
      peerSaid: { type: "string", about: "the peer's `details`, when it said why it refused our certificate", node: "ingress" },
      user: { type: "string", about: "proxy auth: the user name, when one was sent", node: "ingress" },
      target: { type: "string", about: "proxy auth: the CONNECT target, when the door knows it", node: "ingress" },
      retryAfterS: { type: "number", about: "proxy auth, `throttled`: seconds until the address may try again", node: "ingress" },
    },
  },
  "tunnel.limited": {
    nodes: "both", levels: ["info"],
    when: "a tunnel was refused with 503 because a cap was reached (`maxTunnels`, or `maxTunnelsPerClient` at the ingress, `maxTunnelsPerIngress` at the peer); `reason` names the cap and its value",
    fields: REFUSAL,
  },
  "tunnel.open": {
    nodes: "both", levels: ["info"], when: "the tunnel is established",
    fields: {
      setupMs: { type: "number", about: "from accept to open", required: true },
      peerTls: { type: "object", about: "`mode` (`h1`, `h2`), `protocol`, `alpn` (what the peer answered to the ALPN ids offered: `tlsbridge/1`, `h2`, `http/1.1`, or false), `group`, `resumed`, `pooled`", node: "ingress" },
      service: { type: "string", about: "the address dialled", node: "peer" },
    },
  },
  "tunnel.close": {
    nodes: "both", levels: ["info"], when: "the tunnel ended",
    fields: {
      bytesUp: { type: "number", about: "towards the service, bytes the client sent with its request (early data) included", required: true },
      bytesDown: { type: "number", about: "towards the client", required: true },
      durationMs: { type: "number", about: "from accept to the end", required: true },
      outcome: { type: "string", about: OUTCOMES, required: true },
      err: { type: "error", about: "what ended it, when something failed" },
    },
  },
  access: {
    nodes: "both", levels: ["info"],
    when: "ingress: a tunnel attempt ended, whatever the front door and however it ended (the tunnel closed, a refusal before or after routing, a peer failure, the client left after sending something): exactly one line per attempt; peer: a tunnel request from an ingress ended (one per request; a warm connection the ingress closed unused is none). See \"The access line\" below",
    fields: {
      status: { type: "number", about: "the HTTP status answered, or the one the same outcome gets over HTTP; absent when the client left before an answer" },
      error: { type: "string", about: "the Proxy-Status error type of a refusal (a relayed refusal: the peer's)" },
      code: { type: "string", about: "our `TLSB_ERR_*` code of a refusal" },
      bytesUp: { type: "number", about: "towards the service, as in `tunnel.close`; 0 for a refusal", required: true },
      bytesDown: { type: "number", about: "towards the client", required: true },
      setupMs: { type: "number", about: "from accept to open, for a tunnel that opened" },
      durationMs: { type: "number", about: "from accept to the end", required: true },
      outcome: { type: "string", about: `for a tunnel that opened that of \`tunnel.close\` (${OUTCOMES}); \`refused\`; \`client_left\`: the client (at the peer: the ingress) left before an answer; \`aborted\`: shutdown cut it`, required: true },
      target: { type: "string", about: "the target, once the door read it", node: "ingress" },
      rule: { type: "number", about: "the rule that matched", node: "ingress" },
      peer: { type: "string", about: "the peer that carried the tunnel, or when none could, the rule's peer or group", node: "ingress" },
      service: { type: "string", about: "the address dialled", node: "peer" },
    },
  },
  signal: {
    nodes: "both", levels: ["info", "warn"],
    when: "a signal arrived: SIGHUP reloads; SIGTERM or SIGINT starts the shutdown (info), a second one exits at once (warn)",
    fields: {
      signal: { type: "string", about: "the signal", required: true },
      graceMs: { type: "number", about: "the shutdown's grace period (SIGTERM/SIGINT)" },
      drainDelayMs: { type: "number", about: "SIGTERM/SIGINT: how long listeners stay open first" },
      immediate: { type: "boolean", about: "the second signal" },
    },
  },
  shutdown: {
    nodes: "both", levels: ["info", "warn", "error"],
    when: "the node stopped and exits (info), or was still not stopped 1 s after the grace period and exits anyway with 1 (warn, `forced`), or closing failed (error)",
    fields: {
      durationMs: { type: "number", about: "how long the shutdown took" },
      forced: { type: "boolean", about: "true when it exits anyway" },
      handles: { type: "string[]", about: "forced: what was still open, `process.getActiveResourcesInfo()`" },
      err: { type: "error", about: "why closing failed" },
    },
  },
  "internal.error": {
    nodes: "both", levels: ["error", "fatal"], when: "a bug: an unexpected exception (fatal when the node cannot go on, e.g. it could not switch user)",
    fields: { err: { type: "error", about: "the exception", required: true } },
  },
  "admin.listening": {
    nodes: "both", levels: ["info", "warn"],
    when: "the admin HTTP listener (`/healthz`, `/readyz`, `/metrics`) is bound (warn on an address that is not loopback: anyone who reaches it can read `/metrics`)",
    fields: { address: { type: "string", about: "`address:port`", required: true } },
  },
  "peer.down": {
    nodes: "ingress", levels: ["warn"],
    when: "the readiness probe could not reach a peer over TLS (`/readyz` lists it as down, and answers 503 if some rule now has no peer up)",
    fields: {
      peer: { type: "string", about: "the peer", required: true },
      address: { type: "string", about: "its address", required: true },
      err: { type: "error", about: "what failed", required: true },
    },
  },
  "peer.up": {
    nodes: "ingress", levels: ["info"], when: "a peer that was down (or not yet probed) answered the readiness probe",
    fields: {
      peer: { type: "string", about: "the peer", required: true },
      address: { type: "string", about: "its address", required: true },
      handshakeMs: { type: "number", about: "the probe's TLS handshake", required: true },
    },
  },
  "peer.ejected": {
    nodes: "ingress", levels: ["warn"],
    when: "with `peerHealth:`, a peer group member failed `failuresToEject` times in a row (its probes, or tunnels' dials) and is out of its groups' rotation until its probes pass again; a refusal from a peer that answered never counts",
    fields: {
      peer: { type: "string", about: "the member", required: true },
      reason: { type: "string", about: "`probe` or `dial`", required: true },
      failures: { type: "number", about: "failures in a row", required: true },
      err: { type: "error", about: "the probe's failure" },
    },
  },
  "peer.returned": {
    nodes: "ingress", levels: ["info"], when: "an ejected member passed `passesToReturn` probes in a row and is back in rotation",
    fields: {
      peer: { type: "string", about: "the member", required: true },
      passes: { type: "number", about: "probes passed in a row", required: true },
    },
  },
  "worker.started": {
    nodes: "both", levels: ["info"], when: "the supervisor (`workers` > 1) started a worker process",
    fields: {
      worker: { type: "number", about: "its 1-based id", required: true },
      workerPid: { type: "number", about: "its process id" },
      replacing: { type: "number", about: "the id of the worker it replaces, if any" },
    },
  },
  "worker.exit": {
    nodes: "both", levels: ["warn", "info"], when: "a worker process ended: warn (and replaced) when it died, info during shutdown",
    fields: {
      worker: { type: "number", about: "its id", required: true },
      workerPid: { type: "number", about: "its process id" },
      code: { type: "number|null", about: "its exit code", required: true },
      signal: { type: "string|null", about: "the signal that ended it", required: true },
      replaced: { type: "boolean", about: "whether it is replaced", required: true },
      replaceInMs: { type: "number", about: "when replaced: the delay before its replacement starts" },
    },
  },
  "memory.probe": {
    nodes: "both", levels: ["info"],
    when: "tests only: with `TLSBRIDGE_MEMORY_PROBE=1` in the environment, SIGUSR2 ran full garbage collections; never written otherwise",
    fields: {
      rss: { type: "number", about: "bytes, `process.memoryUsage()`", required: true },
      heapTotal: { type: "number", about: "bytes", required: true },
      heapUsed: { type: "number", about: "bytes", required: true },
      external: { type: "number", about: "bytes", required: true },
      arrayBuffers: { type: "number", about: "bytes", required: true },
    },
  },
  "privileges.dropped": {
    nodes: "both", levels: ["info"],
    when: "started as root with `user:` in the config, the process read its keys, bound its listeners (and admin listener) and switched to that user and group for good (the supervisor before it starts its workers, which then run as that user too)",
    fields: {
      user: { type: "string", about: "the user", required: true },
      uid: { type: "number", about: "its id", required: true },
      group: { type: "string", about: "the group", required: true },
      gid: { type: "number", about: "its id", required: true },
      unreadable: { type: "string[]", about: "files the config names that this user cannot read: a reload needing them is rejected with `permission denied to user ...` until they are made readable", required: true },
    },
  },
  "privileges.root": {
    nodes: "both", levels: ["warn"], when: "the node runs as root and its config has no `user:`: it keeps every privilege while it serves",
    fields: { config: { type: "string", about: "the config", required: true } },
  },
} as const satisfies Readonly<Record<string, LogEventSpec>>;

/** One of the event names above. */
export type LogEvent = keyof typeof LOG_CATALOGUE;
