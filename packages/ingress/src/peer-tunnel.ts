// Opens the ingress's leg of a tunnel to a peer: dial over mTLS, send the replayed CONNECT (with
// any early data in the same write), and read the peer's response head with the restartable CR/LF
// scanner. Bytes after that head already belong to the tunnel.
import type tls from "node:tls";
import { DialError, dialTls, isCertificateFailure, readUntil, ReadUntilError } from "@tlsbridge/transport";
import type { TlsConnection } from "@tlsbridge/transport";
import { HeadReader, isTunnelError, parseResponseHead, TunnelError } from "@tlsbridge/wire";
import type { ResponseHead } from "@tlsbridge/wire";
import type { IngressLimits, PeerEndpoint } from "./ingress-options.ts";
import { peerDialError } from "./peer-failure.ts";

/** A peer connection that answered the replayed CONNECT. */
export type PeerTunnel = TlsConnection & {
  readonly response: ResponseHead;
  /** Bytes after the response head: the start of the tunnel's data towards the client. */
  readonly rest: Buffer;
};

/** What opening a peer tunnel needs besides the peer and the request. */
export type PeerTunnelOptions = {
  readonly secureContext: tls.SecureContext;
  readonly limits: IngressLimits;
  /** Called once the TLS connection is up, so the caller can close it if the client goes away. */
  readonly onDialed: (connection: TlsConnection) => void;
};

/** Dials `peer`, sends `request` + `earlyData`, reads the response head; throws TunnelError. */
export async function openPeerTunnel(
  peer: PeerEndpoint,
  request: Buffer,
  earlyData: Buffer,
  options: PeerTunnelOptions,
): Promise<PeerTunnel> {
  const connection = await dialTls({
    host: peer.host,
    port: peer.port,
    servername: peer.servername,
    secureContext: options.secureContext,
    timeoutMs: options.limits.peerConnectTimeoutMs,
  }).catch((err: unknown) => {
    throw err instanceof DialError ? peerDialError(peer.name, err) : err;
  });
  options.onDialed(connection);
  connection.socket.on("error", () => {}); // classified below while reading the response
  connection.socket.write(earlyData.length > 0 ? Buffer.concat([request, earlyData]) : request);
  const reader = new HeadReader(options.limits.maxHeadBytes, "TLSB_ERR_PEER_RESPONSE");
  try {
    const { head, rest } = await readUntil(connection.socket, (chunk) => reader.push(chunk), options.limits.peerResponseTimeoutMs);
    return { ...connection, response: parseResponseHead(head), rest };
  } catch (err) {
    connection.socket.destroy();
    throw responseFailure(peer, err);
  }
}

function responseFailure(peer: PeerEndpoint, err: unknown): unknown {
  if (isTunnelError(err)) return err;
  const cause = err instanceof ReadUntilError ? err.cause : err;
  // TLS 1.3: the peer checks our certificate after our side of the handshake is done, so its
  // refusal arrives here, as an alert, rather than during the dial.
  if (isCertificateFailure(cause)) {
    return new TunnelError("TLSB_ERR_PEER_CERT", `peer ${peer.name} refused our certificate`, {
      cause, details: `peer ${peer.name} refused the ingress certificate`,
    });
  }
  if (err instanceof ReadUntilError && err.reason === "timeout") {
    return new TunnelError("TLSB_ERR_CONNECT_TIMEOUT", `peer ${peer.name} did not answer the CONNECT in time`, {
      cause, details: `peer ${peer.name} did not answer in time`,
    });
  }
  // A peer that refuses our certificate closes without an alert (Node checks the chain after the
  // handshake), so a silent close right after the handshake is worth a hint in the details.
  const silent = err instanceof ReadUntilError && err.bytesRead === 0;
  return new TunnelError("TLSB_ERR_PEER_RESPONSE", `peer ${peer.name} closed before answering`, {
    cause: err,
    details: `peer ${peer.name} closed the connection without a response${silent ? " (did it refuse this ingress's certificate?)" : ""}`,
  });
}
