// Turns a client's request head into a CONNECT request or a refusal: only
// `CONNECT host:port HTTP/1.1` (or 1.0) opens a tunnel (RFC 9110 §9.3.6, RFC 9112 §3.2.3).
import { TunnelError } from "./errors.ts";
import { headerValues, isToken, splitHead } from "./header-fields.ts";
import type { HeaderList } from "./header-fields.ts";
import { runLlhttp } from "./llhttp-driver.ts";
import { parseTarget } from "./target.ts";
import type { Target } from "./target.ts";

/** A parsed CONNECT request. */
export type ConnectRequest = {
  method: string;
  target: Target;
  /** Header fields in wire order, values trimmed, bytes kept (Latin-1). */
  headers: HeaderList;
  version: "1.0" | "1.1";
};

const REQUEST_LINE_END = / HTTP\/1\.[01]$/;

function badRequest(message: string, details: string): TunnelError {
  return new TunnelError("TLSB_ERR_BAD_REQUEST", message, { details });
}

/**
 * Parses a whole request head (including the final CRLF CRLF, as {@link HeadReader} returns it)
 * with llhttp-wasm in one call. Throws TunnelError: `TLSB_ERR_METHOD_NOT_ALLOWED` for another
 * method, `TLSB_ERR_BAD_TARGET` for a target that is not a valid host:port, `TLSB_ERR_BAD_REQUEST`
 * for anything else malformed (including a CONNECT with content framing or two Host fields).
 */
export function parseConnectRequest(head: Buffer): ConnectRequest {
  const n = head.length;
  if (n < 4 || head[n - 4] !== 0x0d || head[n - 3] !== 0x0a || head[n - 2] !== 0x0d || head[n - 1] !== 0x0a) {
    throw badRequest("request head does not end with CRLF CRLF", "incomplete request head");
  }
  const { startLine, headers } = splitHead(head);
  const sp = startLine.indexOf(" ");
  const method = sp < 0 ? startLine : startLine.slice(0, sp);
  if (!isToken(method)) {
    throw badRequest(`malformed request line ${JSON.stringify(startLine.slice(0, 80))}`, "malformed request line");
  }
  if (method !== "CONNECT") {
    throw new TunnelError("TLSB_ERR_METHOD_NOT_ALLOWED", `method ${method.slice(0, 32)} not allowed`, {
      details: "only CONNECT is supported",
    });
  }
  const parsed = runLlhttp("request", head);
  if (!parsed.ok) {
    throw badRequest(`malformed request head: ${parsed.error} ${parsed.reason} at offset ${parsed.offset}`, parsed.reason);
  }
  const { info } = parsed;
  if (info.versionMajor !== 1 || (info.versionMinor !== 0 && info.versionMinor !== 1) || !REQUEST_LINE_END.test(startLine)) {
    throw badRequest(`unsupported protocol in ${JSON.stringify(startLine.slice(0, 80))}`, "HTTP/1.1 or HTTP/1.0 expected");
  }
  if (headers.length * 2 !== info.rawHeaders.length) {
    throw badRequest("header fields do not line up with the parser's", "malformed header section");
  }
  const target = parseTarget(info.url ?? "");
  if (headerValues(headers, "host").length > 1) {
    throw badRequest("more than one Host field", "more than one Host field");
  }
  // RFC 9110 §9.3.6: a CONNECT request has no content. Framing headers would make another hop
  // read tunnel bytes as a body, so refuse them rather than guess.
  if (headerValues(headers, "transfer-encoding").length > 0) {
    throw badRequest("CONNECT with Transfer-Encoding", "CONNECT has no content");
  }
  for (const v of headerValues(headers, "content-length")) {
    if (v !== "0") throw badRequest("CONNECT with Content-Length", "CONNECT has no content");
  }
  return { method, target, headers, version: info.versionMinor === 0 ? "1.0" : "1.1" };
}
