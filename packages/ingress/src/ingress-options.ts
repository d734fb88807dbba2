// What the ingress role needs to run, already validated and loaded by the config package: listeners with their
// compiled rule sets, peers, TLS material and limits. The ingress reads no files itself.
import type { ClientNetworks, RuleSet } from "@tlsbridge/rules";
import type { TlsMaterial } from "@tlsbridge/transport";
import type { ProxyAuthUsers } from "./proxy-auth.ts";

/** What a listener speaks to its clients: HTTP CONNECT, SOCKS5, or TLS routed by its SNI name. */
export type ListenerProtocol = "http" | "socks5" | "sni";

/** The port an `sni` listener dials a routed name on, unless it sets `targetPort`. */
export const DEFAULT_SNI_TARGET_PORT = 443;

/** One client-facing listener: a site with its own rule file. */
export type IngressListenerOptions = {
  /** Site name, from the rule file's name (`sites/hq.yaml` -> `hq`); logged with every tunnel. */
  readonly site: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly rules: RuleSet;
  /** Default `http`. */
  readonly protocol?: ListenerProtocol;
  /** `sni` listeners: the port the routed name is dialed on (the rules see `name:targetPort`). Default 443. */
  readonly targetPort?: number;
  /** Present: the listener speaks TLS (an HTTPS proxy); absent: plain TCP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /**
   * Present: clients must send `Proxy-Authorization: Basic` for one of these users, or get 407
   * (checked before routing, so the rules are not probed). Absent: no proxy authentication.
   */
  readonly auth?: { readonly users: ProxyAuthUsers };
  /**
   * Present and not empty: only clients whose address is in one of these networks may connect;
   * others are reset at accept, before any byte is read (client-gate.ts). Absent or empty: anyone.
   */
  readonly clients?: ClientNetworks;
};

/** A peer the rules can name. */
export type PeerEndpoint = {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Name verified against the peer's certificate (SNI too, unless it is an IP address). */
  readonly servername: string;
  /**
   * `h1` (default here; the config's default is `auto`): one TLS connection per tunnel, HTTP/1.1
   * CONNECT (what ATS peers speak). `h2`: every tunnel a CONNECT stream on one shared HTTP/2
   * connection (RFC 9113 §8.5). `auto`: h2 when the peer answers ALPN `tlsbridge/1`, else h1 (peer-mode.ts).
   */
  readonly mode?: "auto" | "h1" | "h2";
  /**
   * Mode h1: connections kept handshaken and waiting (peer-pool.ts). `maxIdleMs` must stay below
   * the peer's `limits.headTimeoutMs`, which also covers a pooled connection's idle time. Absent
   * or size 0: no pool.
   */
  readonly pool?: { readonly size: number; readonly maxIdleMs: number };
  /** Absent: the peer is dialed directly. Present: through this corporate proxy (corporate-proxy-carrier.ts). */
  readonly via?: CorporateProxy;
};

/**
 * An HTTP proxy the ingress must go through to reach a peer (`via:`, issue 14): it is sent
 * `CONNECT peer:port` and the peer's mTLS runs inside its tunnel.
 */
export type CorporateProxy = {
  /** `host:port` as configured: logs, metrics and the `next-hop` of Proxy-Status name it so. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `https://` proxies: TLS to the proxy, verified against `ca` (absent: Node's bundled roots) and `servername`. */
  readonly tls?: { readonly ca?: Buffer; readonly servername: string };
  /** The whole `Proxy-Authorization` value (`Basic ...`); never logged (runtime's log censor knows the key). */
  readonly proxyAuthorization?: string;
};

/**
 * Timeouts and size limits, with units in the names. The config's defaults (packages/config/src/config-defaults.ts):
 * maxHeadBytes 16384, headTimeoutMs 10000, peerConnectTimeoutMs 10000, peerResponseTimeoutMs 30000,
 * idleTimeoutMs 300000, maxTunnels 4096, maxTunnelsPerClient 256, maxTunnelLifetimeMs 0 (none).
 */
export type IngressLimits = {
  readonly maxHeadBytes: number;
  /** The whole head must arrive within this (a deadline, not reset by each byte: slowloris). */
  readonly headTimeoutMs: number;
  /** TCP connect plus TLS handshake to the peer. */
  readonly peerConnectTimeoutMs: number;
  /** Time the peer may take to answer the replayed CONNECT (it dials the service meanwhile). */
  readonly peerResponseTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Tunnels (routed CONNECTs, set-up or spliced) open at once on this node; beyond it: 503. */
  readonly maxTunnels: number;
  /** Tunnels open at once from one client IP address; beyond it: 503, others still served. */
  readonly maxTunnelsPerClient: number;
  /** A spliced tunnel is closed this long after it opened, busy or not; 0: no limit. */
  readonly maxTunnelLifetimeMs: number;
};

/** Everything the ingress needs. */
export type IngressOptions = {
  /** This node's name in `Via` and `Proxy-Status`. */
  readonly nodeName: string;
  readonly listeners: readonly IngressListenerOptions[];
  readonly peers: ReadonlyMap<string, PeerEndpoint>;
  /**
   * Named groups of peers that a rule may name instead of one peer: tried in turn, starting one
   * further for each tunnel (spreading the load), and a peer that cannot be dialed is passed over for
   * the next. Members are names of `peers`. Absent: no groups.
   */
  readonly peerGroups?: ReadonlyMap<string, readonly string[]>;
  /** Present: group members failing probes or dials are taken out of rotation (peer-health.ts). Absent: none is. */
  readonly peerHealth?: PeerHealthOptions;
  readonly tls: TlsMaterial;
  readonly keyExchangeGroups: string;
  readonly limits: IngressLimits;
};

/** `peerHealth:`: how group members are probed, ejected and brought back. */
export type PeerHealthOptions = {
  /** How often each group member is probed (TCP, mTLS handshake, certificate accepted). */
  readonly intervalMs: number;
  /** Failures in a row (probes or tunnels' dials) that take a member out of its groups. */
  readonly failuresToEject: number;
  /** Probes in a row that must pass before an ejected member is back. */
  readonly passesToReturn: number;
};
