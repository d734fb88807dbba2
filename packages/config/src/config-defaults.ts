// Every default a node config can leave out, in one object with units in the names, so the docs,
// `--help` and the loaders read the same numbers.
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";

/** Defaults applied by the ingress and peer config loaders. */
export const CONFIG_DEFAULTS = {
  ingress: {
    node: "tlsbridge-ingress",
    limits: {
      maxHeadBytes: 16_384,
      headTimeoutMs: 10_000,
      peerConnectTimeoutMs: 10_000,
      peerResponseTimeoutMs: 30_000,
      idleTimeoutMs: 300_000,
      maxTunnels: 4_096,
      maxTunnelsPerClient: 256,
      maxTunnelLifetimeMs: 0,
    },
  },
  peer: {
    node: "tlsbridge-peer",
    limits: {
      maxHeadBytes: 16_384,
      headTimeoutMs: 10_000,
      tlsHandshakeTimeoutMs: 10_000,
      serviceConnectTimeoutMs: 10_000,
      idleTimeoutMs: 300_000,
      maxTunnels: 8_192,
      maxTunnelsPerIngress: 4_096,
      maxTunnelLifetimeMs: 0,
    },
  },
  keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS,
  /** How long open tunnels may drain after SIGTERM/SIGINT before they are cut. */
  shutdownGraceMs: 10_000,
  /**
   * After SIGTERM/SIGINT, `/readyz` answers 503 at once but the listeners stay open this long, so load
   * balancers that follow readiness stop sending first (issue 12); then the grace period starts.
   */
  drainDelayMs: 0,
  /** A certificate with fewer days left than this is logged (and reported by `check`) as a warning. */
  certExpiryWarningDays: 30,
  /** Processes serving the listeners (`workers: N|auto`); 1: no supervisor. */
  workers: 1,
  /** Reload when a file the config names changes. */
  watchFiles: true,
  /** File changes closer together than this make one reload (editors write in several steps). */
  reloadDebounceMs: 300,
  /** `peerHealth:` on an ingress (off unless the key is given): probe every 5 s, out after 3 failures, back after 2 passes. */
  peerHealth: { intervalMs: 5_000, failuresToEject: 3, passesToReturn: 2 },
  /** The admin listener (`admin: { listen }`; no admin listener unless configured). */
  admin: { peerProbeIntervalMs: 5_000 },
} as const;

/** Bounds for numeric settings: `[min, max]` by the unit suffix of the key. */
export const SETTING_BOUNDS = {
  Ms: [1, 86_400_000],
  Bytes: [1_024, 1_048_576],
  /** `maxTunnels...` counts. */
  Tunnels: [1, 1_000_000],
} as const;
