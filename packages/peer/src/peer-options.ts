// What the peer role needs to run, already validated and loaded by the cli: the mTLS listener,
// the destination allow list, TLS material and limits. The peer reads no files itself.
import type { AllowList } from "@tlsbridge/rules";
import type { TlsMaterial } from "@tlsbridge/transport";

/** Timeouts and size limits, with units in the names. */
export type PeerLimits = {
  readonly maxHeadBytes: number;
  readonly headTimeoutMs: number;
  readonly tlsHandshakeTimeoutMs: number;
  /** DNS lookup plus TCP connect to the service. */
  readonly serviceConnectTimeoutMs: number;
  readonly idleTimeoutMs: number;
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
};
