// What every connection to a peer shares, in a file of its own so the connection, the service
// admission and the tunnel report can all name it without importing each other.
import type { Logger } from "pino";
import type { AllowList } from "@tlsbridge/rules";
import type { ConnectionRegistry, HostResolver, TunnelLimiter, TunnelMetrics, TunnelStatus } from "@tlsbridge/transport";
import type { IngressCertificates } from "./ingress-certificate.ts";
import type { PeerLimits } from "./peer-options.ts";

/** What every connection to this peer shares. */
export type PeerContext = {
  readonly nodeName: string;
  readonly allow: AllowList;
  readonly limits: PeerLimits;
  readonly registry: ConnectionRegistry;
  /** Caps per node and per ingress certificate (SHA-256 fingerprint). */
  readonly limiter: TunnelLimiter;
  readonly log: Logger;
  /** Counters and histograms (the runtime's prom-client sink, or NO_METRICS). */
  readonly metrics: TunnelMetrics;
  /** Open tunnels by ingress and recent refusals for the status page (the runtime's board, or NO_STATUS). */
  readonly status: TunnelStatus;
  /** What each ingress certificate says, parsed once per certificate. */
  readonly certificates: IngressCertificates;
  /** Resolves service names when peer.yaml sets `dns.servers`; absent: the system's resolver. */
  readonly resolveService?: HostResolver | undefined;
};
