// Reaches a peer through the company's HTTP proxy (`via:` on a peer, issue 14): TCP to the proxy
// (then TLS, for an `https://` proxy), `CONNECT peer:port` with Basic credentials when configured,
// the proxy's answer read with the restartable head reader, then the peer's mTLS runs inside.
//
//   ingress                         corporate proxy                    peer
//   TCP (+ TLS) ─────────────────▶
//   CONNECT peer:4443 ───────────▶  407 / 403 / 5xx: answered here, the peer never hears of us
//                   ◀───────────── 200
//   ClientHello ════════════════════════════════════════════════════▶  mTLS, as without a proxy
//
// Every failure here is the proxy's hop: a TunnelError whose code says CORP_PROXY and whose
// `nextHop` names the proxy (RFC 9209 `next-hop`), with a DialError as cause, so a peer group fails
// over to its next member exactly as for a peer that cannot be dialed (nothing reached the peer).
import net from "node:net";
import tls from "node:tls";
import { DialError, DIAL_FAILURES, dialTcp, isCertificateFailure, readUntil, ReadUntilError } from "@tlsbridge/transport";
import type { DialFailure, TlsCarrier } from "@tlsbridge/transport";
import { formatConnectRequest, HeadReader, headerValues, isTunnelError, parseResponseHead, parseTarget, TunnelError } from "@tlsbridge/wire";
import type { ErrorCode, HeaderList, ResponseHead } from "@tlsbridge/wire";
import type { CorporateProxy } from "./ingress-options.ts";

const IGNORE = (): void => {};

/** Opens a tunnel to `peerAuthority` (`host:port`) through `proxy`, for dialTls's `carrier`. */
export function corporateProxyCarrier(proxy: CorporateProxy, peerAuthority: string, maxHeadBytes: number): TlsCarrier {
  return async (timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    const raw = await dialTcp({ host: proxy.host, port: proxy.port, timeoutMs }).catch((err: unknown) => {
      throw err instanceof DialError ? connectFailure(proxy, err) : err;
    });
    try {
      const socket = proxy.tls === undefined ? raw : await proxyTls(proxy, proxy.tls, raw, deadline);
      await askForTunnel(proxy, socket, peerAuthority, maxHeadBytes, deadline);
      return { socket, raw };
    } catch (err) {
      raw.destroy();
      throw err;
    }
  };
}

/** TLS with an `https://` proxy, verified like any server: its CA (or Node's roots) and its name. */
function proxyTls(proxy: CorporateProxy, options: NonNullable<CorporateProxy["tls"]>, raw: net.Socket, deadline: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      socket: raw,
      servername: net.isIP(options.servername) === 0 ? options.servername : undefined,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(options.servername, cert),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      rejectUnauthorized: true,
      ALPNProtocols: ["http/1.1"],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(hopError(proxy, "TLSB_ERR_CORP_PROXY_TIMEOUT", DIAL_FAILURES.timeout, "TLS handshake timed out"));
    }, Math.max(0, deadline - Date.now()));
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // Errors after this surface as the end of the peer's TLS inside; an unheard one must not crash us.
      socket.on("error", IGNORE);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.destroy();
      const certificate = isCertificateFailure(err);
      reject(hopError(proxy, certificate ? "TLSB_ERR_CORP_PROXY_CERT" : "TLSB_ERR_CORP_PROXY_TLS",
        certificate ? DIAL_FAILURES.tlsCertificate : DIAL_FAILURES.tlsProtocol,
        `TLS failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
    });
  });
}

/** Sends `CONNECT peer` and reads the proxy's answer; resolves on 2xx, throws the proxy hop's TunnelError otherwise. */
async function askForTunnel(proxy: CorporateProxy, socket: net.Socket, peerAuthority: string, maxHeadBytes: number, deadline: number): Promise<void> {
  const headers: HeaderList = proxy.proxyAuthorization === undefined ? [] : [["Proxy-Authorization", proxy.proxyAuthorization]];
  socket.write(formatConnectRequest(parseTarget(peerAuthority), headers));
  const reader = new HeadReader(maxHeadBytes, "TLSB_ERR_CORP_PROXY_RESPONSE");
  let response: ResponseHead;
  let rest: Buffer;
  try {
    const read = await readUntil(socket, (chunk) => reader.push(chunk), Math.max(0, deadline - Date.now()));
    response = parseResponseHead(read.head);
    rest = read.rest;
  } catch (err) {
    throw answerFailure(proxy, err);
  }
  if (response.status === 407) {
    throw hopError(proxy, "TLSB_ERR_CORP_PROXY_AUTH", DIAL_FAILURES.refused, authHint(proxy, response), { receivedStatus: 407 });
  }
  if (response.status < 200 || response.status > 299) {
    throw hopError(proxy, "TLSB_ERR_CORP_PROXY_DENIED", DIAL_FAILURES.refused,
      `refused CONNECT ${peerAuthority}: ${response.status} ${response.reason}`, { receivedStatus: response.status });
  }
  if (rest.length > 0) {
    // The peer speaks only after our ClientHello: anything before it came from the proxy, not the peer.
    throw hopError(proxy, "TLSB_ERR_CORP_PROXY_RESPONSE", DIAL_FAILURES.closed, `sent ${rest.length} bytes after its ${response.status} before the peer could speak`);
  }
}

/** What to tell an operator about a 407: credentials missing or refused, and a scheme we do not speak. */
function authHint(proxy: CorporateProxy, response: ResponseHead): string {
  const schemes = headerValues(response.headers, "proxy-authenticate").map((v) => v.trim().split(/\s/)[0] ?? "").filter((s) => s !== "");
  const basic = schemes.length === 0 || schemes.some((s) => s.toLowerCase() === "basic");
  const what = proxy.proxyAuthorization === undefined ? "requires authentication (407) and via has no credentials" : "refused our credentials (407)";
  return basic ? what : `${what}; it offers ${schemes.join(", ")}, which tlsbridge does not speak (only Basic)`;
}

function connectFailure(proxy: CorporateProxy, err: DialError): TunnelError {
  const code: ErrorCode = err.reason === DIAL_FAILURES.timeout ? "TLSB_ERR_CORP_PROXY_TIMEOUT" : "TLSB_ERR_CORP_PROXY_UNREACHABLE";
  return hopError(proxy, code, err.reason, err.message, { cause: err });
}

function answerFailure(proxy: CorporateProxy, err: unknown): TunnelError {
  if (err instanceof ReadUntilError && err.reason === "timeout") {
    return hopError(proxy, "TLSB_ERR_CORP_PROXY_TIMEOUT", DIAL_FAILURES.timeout, "did not answer the CONNECT in time", { cause: err });
  }
  if (err instanceof ReadUntilError) {
    return hopError(proxy, "TLSB_ERR_CORP_PROXY_RESPONSE", DIAL_FAILURES.closed, "closed the connection before answering the CONNECT", { cause: err });
  }
  const what = isTunnelError(err) ? err.details ?? err.message : String(err);
  return hopError(proxy, "TLSB_ERR_CORP_PROXY_RESPONSE", DIAL_FAILURES.closed, `answered the CONNECT with something that is not an HTTP response (${what})`, { cause: err });
}

/** The proxy hop's TunnelError: `next-hop` names the proxy; the cause is a DialError (failover-safe). */
function hopError(
  proxy: CorporateProxy,
  code: ErrorCode,
  reason: DialFailure,
  message: string,
  options: { readonly cause?: unknown; readonly receivedStatus?: number } = {},
): TunnelError {
  const text = `corporate proxy ${proxy.name} ${message}`;
  return new TunnelError(code, text, {
    cause: new DialError(reason, text, { cause: options.cause }),
    details: text,
    nextHop: proxy.name,
    ...(options.receivedStatus !== undefined ? { receivedStatus: options.receivedStatus } : {}),
  });
}
