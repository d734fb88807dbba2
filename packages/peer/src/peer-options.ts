// What the peer role needs to run, already validated and loaded by the config package: the mTLS listener,
// the destination allow list, TLS material and limits. The peer reads no files itself.
import type { AllowList, HostPattern } from "@tlsbridge/rules";
import type { TlsMaterial } from "@tlsbridge/transport";
import type { PeerDnsOptions } from "./service-resolver.ts";

/**
 * Timeouts and size limits, with units in the names. The config's defaults (packages/config/src/config-defaults.ts):
 * maxHeadBytes 16384, headTimeoutMs 10000, tlsHandshakeTimeoutMs 10000, serviceConnectTimeoutMs 10000,
 * idleTimeoutMs 300000, maxTunnels 8192, maxTunnelsPerIngress 4096, maxTunnelLifetimeMs 0 (none).
 */
export type PeerLimits = {
  readonly maxHeadBytes: number;
  readonly headTimeoutMs: number;
  readonly tlsHandshakeTimeoutMs: number;
  /** DNS lookup plus TCP connect to the service. */
  readonly serviceConnectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Tunnels (allowed CONNECTs, dialing or spliced) open at once on this node; beyond it: 503. */
  readonly maxTunnels: number;
  /**
   * Tunnels open at once for one ingress, told apart by its client certificate (SHA-256
   * fingerprint); beyond it: 503 relayed to the client, other ingresses still served. One ingress
   * carries all of its clients, so keep it at least the ingress's own `maxTunnels`.
   */
  readonly maxTunnelsPerIngress: number;
  /** A spliced tunnel is closed this long after it opened, busy or not; 0: no limit. */
  readonly maxTunnelLifetimeMs: number;
};

/** Everything the peer needs. */
export type PeerOptions = {
  /** This node's name in `Via` and `Proxy-Status`. */
  readonly nodeName: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Destinations the peer may dial; an empty list allows nothing. */
  readonly allow: AllowList;
  /** The private CA that signs ingress client certificates, and this peer's server certificate. */
  readonly tls: TlsMaterial;
  readonly keyExchangeGroups: string;
  readonly limits: PeerLimits;
  /**
   * Present: an ingress's certificate must also carry a DNS name, URI or CN matching one of these
   * (anchored) patterns, or the connection is closed and logged as auth.denied reason `name`.
   * Absent: any certificate from the CA is accepted.
   */
  readonly ingresses?: readonly HostPattern[];
  /**
   * Present: service names are resolved by asking these DNS servers (with a bounded TTL cache).
   * Absent: the system's resolver (getaddrinfo, so /etc/hosts counts).
   */
  readonly dns?: PeerDnsOptions;
};
