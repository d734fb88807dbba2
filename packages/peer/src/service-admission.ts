// What the peer decides for every CONNECT, whichever way it arrived (an HTTP/1.1 connection or an
// HTTP/2 stream): not a loop, in the allow list for this ingress, within the caps; then DNS, the
// resolved addresses checked against the entries that admitted the name, and the dial. One place, so
// both modes refuse with the same rows of the status table.
import type net from "node:net";
import type { Logger } from "pino";
import { DialError, dialTcp, logEvent } from "@tlsbridge/transport";
import { proxyV2Header, socketAddress, TunnelError, viaIncludes } from "@tlsbridge/wire";
import type { HeaderList, SocketAddress, Target } from "@tlsbridge/wire";
import { addressRefusalReason, checkDestinationAddresses, DestinationAddressError } from "./destination-address.ts";
import type { PeerContext } from "./peer-context.ts";
import { serviceDialError } from "./service-failure.ts";

/** The ingress asking: the key of its tunnel cap (certificate fingerprint) and its certificate's names. */
export type AskingIngress = {
  readonly key: string;
  /** DNS names, URIs and CN(s) of its certificate, which allow entries' `ingresses:` match. */
  readonly names: readonly string[];
};

/**
 * Admits the CONNECT for `target` from `ingress` and dials the service, only at addresses the
 * admitting entries allow (the others of a DNS answer are dropped and logged on the tunnel's `log`;
 * none left: 403). When the first
 * admitting entry asks for it (`proxyProtocol: v2`), the service connection starts with a PROXY v2
 * header naming `client` (the original client, from Forwarded), or a LOCAL one when the client is
 * unknown. `onSlot` receives the tunnel slot's release as soon as one is taken, so the caller frees
 * it however the tunnel ends. Throws TunnelError.
 */
export async function admitAndDial(
  target: Target,
  headers: HeaderList,
  client: SocketAddress | undefined,
  ingress: AskingIngress,
  log: Logger,
  context: PeerContext,
  onSlot: (release: () => void) => void,
): Promise<net.Socket> {
  if (viaIncludes(headers, context.nodeName)) {
    throw new TunnelError("TLSB_ERR_PROXY_LOOP", `request already passed through ${context.nodeName}`);
  }
  const entries = context.allow.admitting(target.host, target.port, ingress.names);
  if (entries.length === 0) {
    throw new TunnelError("TLSB_ERR_DESTINATION_DENIED", `${target.authority} is not in the peer's allow list for this ingress`, {
      details: "destination not allowed by the peer",
    });
  }
  const slot = context.limiter.acquire(ingress.key);
  if (!slot.ok) {
    throw new TunnelError("TLSB_ERR_TOO_MANY_TUNNELS", `tunnel limit reached (${slot.limit === "node" ? "node" : "ingress"}: ${slot.max})`, {
      details: slot.limit === "node" ? "too many tunnels on this peer" : "too many tunnels from this ingress",
    });
  }
  onSlot(slot.release);
  const resolve = context.resolveService;
  const service = await dialTcp({
    host: target.host, port: target.port, timeoutMs: context.limits.serviceConnectTimeoutMs,
    ...(resolve !== undefined ? { resolve } : {}),
    checkAddresses: (addresses) => {
      const { admitted, refused } = checkDestinationAddresses(entries, addresses);
      const first = refused[0];
      if (first === undefined) return admitted;
      const reason = addressRefusalReason(entries, first.address);
      if (admitted.length === 0) throw new DestinationAddressError(target, first.address, reason);
      logEvent(log, "info", "destination.addresses.dropped", { dropped: refused.map((a) => a.address), kept: admitted.length, reason },
        "addresses of the DNS answer the allow list does not admit were dropped");
      return admitted;
    },
  })
    .catch((err: unknown) => {
      throw err instanceof DialError ? serviceDialError(target.authority, err) : err;
    });
  if (entries[0]?.proxyProtocol === "v2") service.write(proxyV2Header(client, socketAddress(service.remoteAddress, service.remotePort)));
  return service;
}
