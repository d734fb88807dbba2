// Opens the ingress's leg of a tunnel to a peer, in the peer's mode (named, or learned from its ALPN
// answer by the first tunnel: peer-mode.ts):
//   h1 (default, what ATS peers speak): a TLS connection per tunnel, taken warm from the pool or
//      dialed (resuming a TLS session when possible); the replayed CONNECT is written with any early
//      data in the same write, and the response head read with the restartable CR/LF scanner.
//      Bytes after that head already belong to the tunnel.
//   h2: a CONNECT stream on the peer's shared HTTP/2 connection (h2-peer-session.ts).
import type net from "node:net";
import { DIAL_FAILURES, DialError, isCertificateFailure, readUntil, ReadUntilError } from "@tlsbridge/transport";
import type { SpliceEnd, TlsConnection } from "@tlsbridge/transport";
import { formatConnectRequest, HeadReader, isTunnelError, parseResponseHead, TunnelError } from "@tlsbridge/wire";
import type { HeaderList, ResponseHead, Target } from "@tlsbridge/wire";
import type { IngressLimits, PeerEndpoint } from "./ingress-options.ts";
import { peerDialError } from "./peer-failure.ts";
import type { PeerLinks } from "./peer-links.ts";

/** The CONNECT the ingress replays: the client's target and the hop headers we add. */
export type ReplayedRequest = {
  readonly target: Target;
  readonly headers: HeaderList;
};

/** How the peer leg was made, for the tunnel.open log line. */
export type PeerLegInfo = {
  readonly mode: "h1" | "h2";
  readonly protocol: string | null;
  /** What the peer answered to our ALPN offer (false: nothing, as ATS and squid to none offered). */
  readonly alpn: string | false;
  readonly group: string | undefined;
  /** TLS session resumed (h1: this tunnel's connection; h2: the shared connection). */
  readonly resumed: boolean;
  /** h1: the connection came from the warm pool. */
  readonly pooled: boolean;
};

/** A peer leg that answered the replayed CONNECT. */
export type PeerTunnel = SpliceEnd & {
  readonly response: ResponseHead;
  /** Bytes after the response head: the start of the tunnel's data towards the client. */
  readonly rest: Buffer;
  readonly leg: PeerLegInfo;
};

/** What opening a peer tunnel needs besides the peer and the request. */
export type PeerTunnelOptions = {
  /**
   * The links in force, read once per attempt: a reload replaces them (and closes the old ones)
   * while a peer-group failover awaits a dial, and the next member must be dialed with the new.
   */
  readonly links: () => PeerLinks;
  readonly limits: IngressLimits;
  /** Called once the peer leg exists, so the caller can close it if the client goes away. */
  readonly onDialed: (connection: SpliceEnd) => void;
};

const EMPTY = Buffer.alloc(0);

/** Opens the peer leg, sends `request` + `earlyData`, reads the response head; throws TunnelError. */
export async function openPeerTunnel(
  peer: PeerEndpoint,
  request: ReplayedRequest,
  earlyData: Buffer,
  options: PeerTunnelOptions,
): Promise<PeerTunnel> {
  const links = options.links();
  if (!links.has(peer.name)) {
    // A reload removed this member while an earlier one of its group was being dialed: pass it over.
    throw peerDialError(peer.name, new DialError(DIAL_FAILURES.unreachable, "removed from the config by a reload"));
  }
  const link = links.get(peer.name);
  let asked: TlsConnection | undefined;
  if (link.mode.current === undefined) {
    const answer = await link.mode.ask().catch((err: unknown) => {
      throw err instanceof DialError ? peerDialError(peer.name, err) : err;
    });
    asked = answer.connection;
  }
  if (link.mode.current === "h2" && link.h2 !== undefined) {
    const opened = await link.h2.open(
      request.target.authority, request.headers, earlyData, options.limits.peerResponseTimeoutMs, options.onDialed,
    );
    const socket = opened.stream.session?.socket as net.Socket & { alpnProtocol?: string | false; isSessionReused?: () => boolean };
    return {
      socket: opened.socket,
      raw: opened.raw,
      response: opened.response,
      rest: EMPTY,
      leg: { mode: "h2", protocol: "h2", alpn: socket?.alpnProtocol ?? false, group: undefined, resumed: socket?.isSessionReused?.() ?? false, pooled: false },
    };
  }
  const head = formatConnectRequest(request.target, request.headers);
  if (asked !== undefined) return exchange(peer, asked, head, earlyData, options, false);
  const warm = link.pool?.take();
  if (warm !== undefined) {
    try {
      return await exchange(peer, warm, head, earlyData, options, true);
    } catch (err) {
      // The peer closed the warm connection just as we took it (it had said nothing): dial afresh.
      if (!(isTunnelError(err) && err.cause instanceof ReadUntilError && err.cause.bytesRead === 0 && err.cause.reason === "closed")) throw err;
    }
  }
  const connection = await link.dial().catch((err: unknown) => {
    throw err instanceof DialError ? peerDialError(peer.name, err) : err;
  });
  return exchange(peer, connection, head, earlyData, options, false);
}

async function exchange(
  peer: PeerEndpoint,
  connection: TlsConnection,
  head: Buffer,
  earlyData: Buffer,
  options: PeerTunnelOptions,
  pooled: boolean,
): Promise<PeerTunnel> {
  options.onDialed(connection);
  const { socket } = connection;
  socket.on("error", () => {}); // classified below while reading the response
  socket.write(earlyData.length > 0 ? Buffer.concat([head, earlyData]) : head);
  const reader = new HeadReader(options.limits.maxHeadBytes, "TLSB_ERR_PEER_RESPONSE");
  try {
    const { head: responseHead, rest } = await readUntil(socket, (chunk) => reader.push(chunk), options.limits.peerResponseTimeoutMs);
    return {
      socket,
      raw: connection.raw,
      response: parseResponseHead(responseHead),
      rest,
      leg: {
        mode: "h1",
        protocol: socket.getProtocol(),
        alpn: socket.alpnProtocol ?? false,
        group: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name,
        resumed: socket.isSessionReused(),
        pooled,
      },
    };
  } catch (err) {
    socket.destroy();
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

