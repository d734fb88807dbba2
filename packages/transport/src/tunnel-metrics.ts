// The metrics sink both roles are handed: a few calls at the points of a tunnel's life that
// operators count. Libraries only call it; the runtime implements it with prom-client, tests may not.

/** How a spliced tunnel ended, with its byte counts, as `tunnelClosed` receives it. */
export type TunnelClosedFacts = {
  /** A SpliceOutcome (`done`, `idle_timeout`, ...) or `aborted`. */
  readonly outcome: string;
  /** Client to service. */
  readonly bytesUp: number;
  /** Service to client. */
  readonly bytesDown: number;
};

/** What a node reports about its tunnels. Every method is cheap and never throws. */
export type TunnelMetrics = {
  /** A tunnel was established (200 sent); `setupSeconds` from accept to 200. */
  readonly tunnelOpened: (setupSeconds: number) => void;
  /** An established tunnel ended. */
  readonly tunnelClosed: (facts: TunnelClosedFacts) => void;
  /** A request was answered with an error instead of a tunnel; `proxyStatusError` is the RFC 9209 type. */
  readonly tunnelRefused: (status: number, proxyStatusError: string) => void;
  /** Dialing the next hop (ingress: the peer; peer: the service) failed, by Proxy-Status error type. */
  readonly dialFailed: (proxyStatusError: string) => void;
  /** Ingress: a rule of `site` matched (`ruleIndex` is 0-based, in file order). */
  readonly ruleHit: (site: string, ruleIndex: number) => void;
  /** Ingress: a connection to a listener of `site` was reset at accept, its client not in `clients:`. */
  readonly clientRefused: (site: string) => void;
  /** Ingress: a TLS handshake with `peer` completed (resumed or full). */
  readonly peerHandshake: (peer: string, seconds: number, resumed: boolean) => void;
  /** Ingress: a proxy login was refused (`missing`, `malformed`, `user`, `password`, `throttled`, `busy`). */
  readonly proxyAuthRefused: (reason: string) => void;
  /** Ingress: the corporate proxy (`via:`) a peer is reached through failed, by Proxy-Status error type. */
  readonly corporateProxyFailed: (proxy: string, proxyStatusError: string) => void;
  /** Ingress: a peer group member was taken out of rotation, after failed probes or dials (`reason`). */
  readonly peerEjected: (peer: string, reason: "probe" | "dial") => void;
  /** Ingress: an ejected member passed its probes and is back in rotation. */
  readonly peerReturned: (peer: string) => void;
};

/** The sink that records nothing: the default when a caller passes none. */
export const NO_METRICS: TunnelMetrics = Object.freeze({
  tunnelOpened: () => {},
  tunnelClosed: () => {},
  tunnelRefused: () => {},
  dialFailed: () => {},
  ruleHit: () => {},
  clientRefused: () => {},
  peerHandshake: () => {},
  proxyAuthRefused: () => {},
  corporateProxyFailed: () => {},
  peerEjected: () => {},
  peerReturned: () => {},
});
