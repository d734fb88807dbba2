// The ALPN ids (RFC 7301) that tell the two nodes which mode a connection speaks. `h2` alone cannot:
// Apache Traffic Server negotiates `h2` on its TLS ports, but its CONNECT over HTTP/2 is not the
// tunnel ours expects (issue 13). Our own id, offered before `http/1.1`, is answered by a tlsbridge
// peer only; ATS and squid pick `http/1.1` or nothing, and get the one-connection-per-tunnel mode.

/** Our own id: HTTP/2 with classic CONNECT streams (RFC 9113 §8.5) between tlsbridge nodes. */
export const TLSBRIDGE_ALPN = "tlsbridge/1";

/** What an ingress offers a peer it has not heard yet (mode auto): a tlsbridge peer picks the first. */
export const NEGOTIATING_ALPN: readonly string[] = [TLSBRIDGE_ALPN, "http/1.1"];

/** What an ingress offers in mode h2 named in its config: `h2` too, for peers older than our id. */
export const H2_MODE_ALPN: readonly string[] = [TLSBRIDGE_ALPN, "h2"];

/** Whether a negotiated protocol means HTTP/2 with CONNECT streams. */
export function isMultiplexedAlpn(protocol: string | false | null | undefined): boolean {
  return protocol === TLSBRIDGE_ALPN || protocol === "h2";
}
