// Who a tunnel's client was, as the ingress said in its `Forwarded` header (RFC 7239, written by
// packages/ingress/src/forwarded-client.ts). Taken on trust: only an ingress that passed mTLS can
// send a CONNECT here, and the ingress never passes on a client's own Forwarded header.
import { formatSocketAddress, headerValues, parseForwarded } from "@tlsbridge/wire";
import type { ForwardedClient, HeaderList } from "@tlsbridge/wire";

/** The client and proxy user the ingress named in the CONNECT's headers (each undefined when not named). */
export function tunnelOrigin(headers: HeaderList): ForwardedClient {
  return parseForwarded(headerValues(headers, "forwarded"));
}

/** The log fields for an origin: `client` (`ip:port`) and `user`, each only when known. */
export function originBindings(origin: ForwardedClient): Record<string, string> {
  return {
    ...(origin.client !== undefined ? { client: formatSocketAddress(origin.client) } : {}),
    ...(origin.user !== undefined ? { user: origin.user } : {}),
  };
}
