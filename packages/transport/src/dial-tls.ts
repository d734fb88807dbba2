// Dials the other node: TCP first (so the raw socket stays reachable for resets), then TLS 1.3 with
// our client certificate, verifying the peer's chain against the private CA and its name. The TCP
// leg may instead be a tunnel someone else opened (`carrier`: a corporate proxy's CONNECT).
import net from "node:net";
import tls from "node:tls";
import { watchCloseNotify } from "./close-notify.ts";
import { DialError, DIAL_FAILURES } from "./dial-error.ts";
import { dialTcp } from "./dial-tcp.ts";
import { isCertificateFailure } from "./tls-failure.ts";

/** Where and how to dial a node over mutually authenticated TLS. */
export type DialTlsOptions = {
  readonly host: string;
  readonly port: number;
  /** Name the peer's certificate must carry; sent as SNI unless it is an IP address. */
  readonly servername: string;
  readonly secureContext: tls.SecureContext;
  /** Covers TCP connect and the TLS handshake together. */
  readonly timeoutMs: number;
  /** A TLS session (ticket) from an earlier connection to the same node, to resume it (RFC 8446 §2.2). */
  readonly session?: Buffer;
  /** ALPN protocols to offer (`h2` for the multiplexed mode); none by default, as ATS peers expect. */
  readonly alpnProtocols?: readonly string[];
  /** Opens the stream to run TLS over instead of a TCP connect to host:port (within `timeoutMs`). */
  readonly carrier?: TlsCarrier;
};

/** A stream to the other node that TLS runs over: `socket` (TCP, or a proxy's TLS) and the TCP socket under it. */
export type CarrierConnection = { readonly socket: net.Socket; readonly raw: net.Socket };

/**
 * Opens a carrier within `timeoutMs`, or rejects with the error the caller should see (it is passed
 * on as it is, so a carrier can say which hop failed).
 */
export type TlsCarrier = (timeoutMs: number) => Promise<CarrierConnection>;

/** A TLS connection and the TCP socket under it (resets go to the raw socket). */
export type TlsConnection = {
  readonly socket: tls.TLSSocket;
  readonly raw: net.Socket;
};

/** Connects and completes the handshake, or rejects with a DialError saying why (or with the carrier's own error). */
export async function dialTls(options: DialTlsOptions): Promise<TlsConnection> {
  const started = Date.now();
  const carried = await options.carrier?.(options.timeoutMs);
  const raw = carried?.raw ?? await dialTcp({ host: options.host, port: options.port, timeoutMs: options.timeoutMs });
  const under = carried?.socket ?? raw;
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({
      socket: under,
      secureContext: options.secureContext,
      servername: net.isIP(options.servername) === 0 ? options.servername : undefined,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(options.servername, cert),
      rejectUnauthorized: true,
      minVersion: "TLSv1.3",
      allowHalfOpen: true,
      session: options.session,
      ...(options.alpnProtocols !== undefined ? { ALPNProtocols: [...options.alpnProtocols] } : {}),
    } as tls.ConnectionOptions);
    const timer = setTimeout(() => {
      raw.destroy();
      under.destroy();
      socket.destroy();
      reject(new DialError(DIAL_FAILURES.timeout, `TLS handshake with ${options.host}:${options.port} timed out`));
    }, Math.max(0, options.timeoutMs - (Date.now() - started)));
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // The other node's FIN without close_notify is a lost link, not an end (issue 9). Told from
      // the TCP handle under the TLS stream: not seen through a proxy's own TLS (TLS in TLS).
      if (under === raw) watchCloseNotify(socket, raw);
      resolve({ socket, raw });
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.destroy();
      under.destroy();
      raw.destroy();
      const reason = isCertificateFailure(err) ? DIAL_FAILURES.tlsCertificate : DIAL_FAILURES.tlsProtocol;
      reject(new DialError(reason, `TLS with ${options.host}:${options.port} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
    });
  });
}
