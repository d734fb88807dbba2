// What the runtime hands a role when it starts it, besides the options: the logger, the metrics sink
// and how to bind. Libraries make none of these themselves.
import type { Logger } from "pino";
import type { TunnelMetrics } from "./tunnel-metrics.ts";
import type { TunnelStatus } from "./tunnel-status.ts";

/** Runtime collaborators of a role. */
export type NodeContext = {
  readonly log: Logger;
  /** Defaults to NO_METRICS. */
  readonly metrics?: TunnelMetrics;
  /** Open tunnels and recent refusals for the status page; defaults to NO_STATUS. */
  readonly status?: TunnelStatus;
  /** Bind listeners with SO_REUSEPORT (one of several worker processes). */
  readonly reusePort?: boolean;
  /**
   * TLS session ticket keys (48 bytes) the supervisor made for all its workers, so a ticket one
   * worker issued resumes at another; absent: each process keeps OpenSSL's own random keys.
   */
  readonly ticketKeys?: Buffer;
};
