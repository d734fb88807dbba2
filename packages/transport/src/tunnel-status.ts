// The status sink both roles are handed beside the metrics sink (issue 15, the status page): where
// each open tunnel goes and what each refusal was about, facts a counter cannot carry (a target, a
// client, an error message). Libraries only call it; the runtime keeps the board behind `/status`.

/** Where an open tunnel runs: at the ingress its site and peer, at the peer the ingress it came from. */
export type TunnelPlace = {
  readonly site?: string;
  readonly peer?: string;
  readonly ingress?: string;
};

/** One request answered with an error instead of a tunnel. */
export type RefusalFacts = {
  /** The TLSB_ERR_* code. */
  readonly code: string;
  readonly status: number;
  /** The refusal's message (it may quote what the client sent: shown escaped, never as markup). */
  readonly reason: string;
  /** `host:port` as requested, when the request got that far. */
  readonly target?: string;
  /** The client's `address:port` (ingress) or the ingress's name (peer). */
  readonly client?: string;
};

/** What a node reports for its status page. Every method is cheap and never throws. */
export type TunnelStatus = {
  readonly tunnelOpened: (place: TunnelPlace) => void;
  /** The same place `tunnelOpened` was told. */
  readonly tunnelClosed: (place: TunnelPlace) => void;
  readonly tunnelRefused: (refusal: RefusalFacts) => void;
};

/** The sink that records nothing: the default when a caller passes none. */
export const NO_STATUS: TunnelStatus = Object.freeze({
  tunnelOpened: () => {},
  tunnelClosed: () => {},
  tunnelRefused: () => {},
});
