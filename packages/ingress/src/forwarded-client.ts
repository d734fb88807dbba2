// Who the client was, for the peer: the `Forwarded` value the ingress puts on every replayed
// CONNECT (RFC 7239; format in packages/wire/src/forwarded.ts). Built from the accepted TCP socket
// and the authenticated proxy user only: a client's own Forwarded header is never passed on.
import type net from "node:net";
import { formatForwarded, socketAddress } from "@tlsbridge/wire";

/** The `Forwarded` value for the client on `raw` (the TCP socket under any TLS), with its proxy user if any. */
export function forwardedFor(raw: net.Socket, user: string | undefined): string {
  return formatForwarded(socketAddress(raw.remoteAddress, raw.remotePort), user);
}
