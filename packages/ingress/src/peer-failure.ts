// What the client is told when the peer cannot be reached or fails the TLS handshake: the ingress's
// rows of the status table (a refused peer is not a refused service, which only the peer can see).
import { TunnelError } from "@tlsbridge/wire";
import type { DialError } from "@tlsbridge/transport";

/** Maps a failed dial to the peer onto the status table. */
export function peerDialError(peer: string, err: DialError): TunnelError {
  const options = { cause: err, details: `peer ${peer}: ${err.message}` };
  switch (err.reason) {
    case "timeout":
      return new TunnelError("TLSB_ERR_CONNECT_TIMEOUT", `peer ${peer} did not answer in time`, options);
    case "tls_certificate":
      return new TunnelError("TLSB_ERR_PEER_CERT", `certificate check with peer ${peer} failed`, options);
    case "tls_protocol":
      return new TunnelError("TLSB_ERR_PEER_TLS", `TLS with peer ${peer} failed`, options);
    default:
      return new TunnelError("TLSB_ERR_PEER_UNREACHABLE", `peer ${peer} is unreachable`, options);
  }
}
