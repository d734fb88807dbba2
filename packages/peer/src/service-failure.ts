// What the ingress (and so the client) is told when the service cannot be reached from the peer:
// the peer's rows of the status table, with the DNS rcode kept (RFC 9209 §2.3.2).
import { TunnelError } from "@tlsbridge/wire";
import type { DialError } from "@tlsbridge/transport";

/** Maps a failed dial to the service onto the status table. */
export function serviceDialError(authority: string, err: DialError): TunnelError {
  const options = { cause: err, details: err.message };
  switch (err.reason) {
    case "dns_not_found":
    case "dns_failed":
      return new TunnelError("TLSB_ERR_DNS", `${authority}: ${err.message}`, {
        ...options,
        ...(err.rcode !== undefined ? { rcode: err.rcode } : {}),
      });
    case "refused":
      return new TunnelError("TLSB_ERR_CONNECTION_REFUSED", `${authority} refused the connection`, options);
    case "timeout":
      return new TunnelError("TLSB_ERR_CONNECT_TIMEOUT", `${authority} did not answer in time`, options);
    default:
      return new TunnelError("TLSB_ERR_DESTINATION_UNAVAILABLE", `${authority} is unreachable`, options);
  }
}
