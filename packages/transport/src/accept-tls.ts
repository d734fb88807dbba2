// Server side of a TLS connection accepted as raw TCP, so the raw socket stays reachable for
// resets and the handshake gets a deadline of ours. With `requireClientCert`, the client's
// certificate must chain to the context's CA (mTLS), or the handshake fails.
import type net from "node:net";
import tls from "node:tls";
import { isCertificateFailure } from "./tls-failure.ts";

/** Why a TLS handshake from a client failed. */
export class HandshakeError extends Error {
  readonly code = "TLSB_ERR_HANDSHAKE";
  readonly reason: "timeout" | "certificate" | "protocol";

  constructor(reason: HandshakeError["reason"], message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "HandshakeError";
    this.reason = reason;
  }
}

/** Options for one accepted connection. */
export type AcceptTlsOptions = {
  readonly secureContext: tls.SecureContext;
  readonly requireClientCert: boolean;
  readonly handshakeTimeoutMs: number;
};

/** Completes the server handshake on `raw`, or rejects with a HandshakeError (raw is destroyed). */
export function acceptTls(raw: net.Socket, options: AcceptTlsOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: options.secureContext,
      requestCert: options.requireClientCert,
      rejectUnauthorized: options.requireClientCert,
    });
    const fail = (err: HandshakeError): void => {
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new HandshakeError("timeout", `TLS handshake not done within ${options.handshakeTimeoutMs} ms`)),
      options.handshakeTimeoutMs,
    );
    socket.once("secure", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      const reason = isCertificateFailure(err) ? "certificate" : "protocol";
      fail(new HandshakeError(reason, `TLS handshake failed: ${err.code ?? err.message}`, { cause: err }));
    });
    socket.once("close", () => fail(new HandshakeError("protocol", "connection closed during the TLS handshake")));
  });
}
