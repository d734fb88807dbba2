// What the peer decides for every CONNECT, whichever way it arrived (an HTTP/1.1 connection or an
// HTTP/2 stream): not a loop, in the allow list, within the caps; then DNS and the dial. One place,
// so both modes refuse with the same rows of the status table.
import type net from "node:net";
import { DialError, dialTcp } from "@tlsbridge/transport";
import { proxyV2Header, socketAddress, TunnelError, viaIncludes } from "@tlsbridge/wire";
import type { HeaderList, SocketAddress, Target } from "@tlsbridge/wire";
import type { PeerContext } from "./peer-context.ts";
import { serviceDialError } from "./service-failure.ts";

/**
 * Admits the CONNECT for `target` from the ingress keyed `ingressKey` (its certificate fingerprint)
 * and dials the service; when the allow entry asks for it (`proxyProtocol: v2`), the service
 * connection starts with a PROXY v2 header naming `client` (the original client, from Forwarded),
 * or a LOCAL one when the client is unknown. `onSlot` receives the tunnel slot's release as soon as
 * one is taken, so the caller frees it however the tunnel ends. Throws TunnelError.
 */
export async function admitAndDial(
  target: Target,
  headers: HeaderList,
  client: SocketAddress | undefined,
  ingressKey: string,
  context: PeerContext,
  onSlot: (release: () => void) => void,
): Promise<net.Socket> {
  if (viaIncludes(headers, context.nodeName)) {
    throw new TunnelError("TLSB_ERR_PROXY_LOOP", `request already passed through ${context.nodeName}`);
  }
  const allowed = context.allow.find(target.host, target.port);
  if (allowed === undefined) {
    throw new TunnelError("TLSB_ERR_DESTINATION_DENIED", `${target.authority} is not in the peer's allow list`, {
      details: "destination not allowed by the peer",
    });
  }
  const slot = context.limiter.acquire(ingressKey);
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
  })
    .catch((err: unknown) => {
      throw err instanceof DialError ? serviceDialError(target.authority, err) : err;
    });
  if (allowed.proxyProtocol === "v2") service.write(proxyV2Header(client, socketAddress(service.remoteAddress, service.remotePort)));
  return service;
}
