// A TLS server for either role: the peer's mTLS listener (client certificate required and checked
// against the private CA) and the ingress's HTTPS-proxy listener. Handshake failures and refused
// certificates are reported to the caller, so they can be logged as auth events with the reason.
import type net from "node:net";
import tls from "node:tls";
import { isCertificateFailure } from "./tls-failure.ts";

/** Why a client's TLS handshake or certificate was refused. */
export class HandshakeError extends Error {
  readonly code = "TLSB_ERR_HANDSHAKE";
  readonly reason: "timeout" | "certificate" | "protocol";

  constructor(reason: HandshakeError["reason"], message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "HandshakeError";
    this.reason = reason;
  }
}

/** Options of a TLS listener. */
export type TlsListenerOptions = {
  /** Certificate, key, CA and protocol settings (tls.Server builds its context from these). */
  readonly tlsSettings: tls.SecureContextOptions;
  /** mTLS: a client without a certificate chaining to the context's CA is refused after the handshake. */
  readonly requireClientCert: boolean;
  readonly handshakeTimeoutMs: number;
  /** ALPN protocols accepted, most preferred first (the peer: `h2`, `http/1.1`); a client that offers
   * none still connects (`alpnProtocol` is then false). */
  readonly alpnProtocols?: readonly string[];
  /** 48 bytes of TLS session ticket keys shared with the node's other workers (else OpenSSL's own, per process). */
  readonly ticketKeys?: Buffer;
};

/** What the listener hands over: an authenticated connection and the TCP socket under it (for resets). */
export type TlsConnectionHandler = (socket: tls.TLSSocket, raw: net.Socket) => void;

/** Told about each refused client: the error, and the client's address when known. */
export type TlsRefusalHandler = (err: HandshakeError, remote: string) => void;

/**
 * Takes a connection whose handshake completed but whose client certificate was refused, to tell
 * the client why over it (the peer answers in HTTP: issue 9) and close it. Without one the listener
 * destroys the connection.
 */
export type RefusedConnectionHandler = (socket: tls.TLSSocket, raw: net.Socket, err: HandshakeError) => void;

/** A TLS server (not yet listening); call `listen` from listen.ts on it. */
export function createTlsListener(
  options: TlsListenerOptions,
  onConnection: TlsConnectionHandler,
  onRefused: TlsRefusalHandler,
  onRefusedConnection?: RefusedConnectionHandler,
): tls.Server {
  const server = tls.createServer({
    ...options.tlsSettings,
    requestCert: options.requireClientCert,
    // Node would then drop a bad client certificate without telling us; we check `authorized`
    // ourselves below so every refusal is logged with its reason.
    rejectUnauthorized: false,
    handshakeTimeout: options.handshakeTimeoutMs,
    allowHalfOpen: true,
    noDelay: true,
    ...(options.alpnProtocols !== undefined ? { ALPNProtocols: [...options.alpnProtocols] } : {}),
    ...(options.ticketKeys !== undefined ? { ticketKeys: options.ticketKeys } : {}),
  });
  // The client's address as it connected: by the time a handshake fails, a client that hung up
  // (after its own alert, say) no longer has one, and the refusal would be logged from "undefined".
  const remotes = new WeakMap<net.Socket, string>();
  server.on("connection", (raw: net.Socket) => remotes.set(raw, remoteOf(raw)));
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    const raw = rawSocketOf(socket);
    if (options.requireClientCert && !socket.authorized) {
      const why = socket.authorizationError === null || socket.authorizationError === undefined
        ? "no client certificate"
        : String(socket.authorizationError);
      const err = new HandshakeError("certificate", `client certificate refused: ${why}`);
      onRefused(err, remoteOf(raw));
      if (onRefusedConnection !== undefined) onRefusedConnection(socket, raw, err);
      else socket.destroy();
      return;
    }
    onConnection(socket, raw);
  });
  server.on("tlsClientError", (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    const reason = err.code === "ERR_TLS_HANDSHAKE_TIMEOUT" ? "timeout" : isCertificateFailure(err) ? "certificate" : "protocol";
    const raw = rawSocketOf(socket);
    onRefused(new HandshakeError(reason, `TLS handshake failed: ${err.code ?? err.message}`, { cause: err }), remotes.get(raw) ?? remoteOf(raw));
    socket.destroy();
  });
  return server;
}

function rawSocketOf(socket: tls.TLSSocket): net.Socket {
  // tls.Server keeps the accepted TCP socket as `_parent`; resets must go there (a TLSSocket's
  // resetAndDestroy throws). Fall back to the TLS socket itself should that ever change.
  return (socket as unknown as { _parent?: net.Socket })._parent ?? socket;
}

function remoteOf(socket: net.Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}
