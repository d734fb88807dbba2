// Reads the peer's answer to our replayed CONNECT: status, reason and header fields. A head the
// scanner found but that is not a valid HTTP/1.x response is the peer's fault (502).
import { TunnelError } from "./errors.ts";
import { splitHead } from "./header-fields.ts";
import type { HeaderList } from "./header-fields.ts";
import { runLlhttp } from "./llhttp-driver.ts";

/** A parsed response head. */
export type ResponseHead = {
  status: number;
  reason: string;
  /** Header fields in wire order, values trimmed, bytes kept (Latin-1). */
  headers: HeaderList;
};

// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4); the SP before an
// empty reason is often left out, so it is optional here.
const STATUS_LINE = /^HTTP\/1\.[01] ([1-5][0-9][0-9])(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

function malformed(message: string, details: string): TunnelError {
  return new TunnelError("TLSB_ERR_PEER_RESPONSE", message, { details });
}

/**
 * Parses a whole response head (including the final CRLF CRLF) with llhttp-wasm in one call.
 * Interim (1xx) responses are refused: our peers answer a CONNECT with a final status only.
 * Throws `TunnelError("TLSB_ERR_PEER_RESPONSE")` for anything malformed.
 */
export function parseResponseHead(head: Buffer): ResponseHead {
  const n = head.length;
  if (n < 4 || head[n - 4] !== 0x0d || head[n - 3] !== 0x0a || head[n - 2] !== 0x0d || head[n - 1] !== 0x0a) {
    throw malformed("response head does not end with CRLF CRLF", "incomplete response head");
  }
  const { startLine, headers } = splitHead(head);
  const m = STATUS_LINE.exec(startLine);
  if (m === null) {
    throw malformed(`malformed status line ${JSON.stringify(startLine.slice(0, 80))}`, "malformed status line");
  }
  const parsed = runLlhttp("response", head);
  if (!parsed.ok) {
    throw malformed(`malformed response head: ${parsed.error} ${parsed.reason} at offset ${parsed.offset}`, parsed.reason);
  }
  if (headers.length * 2 !== parsed.info.rawHeaders.length) {
    throw malformed("header fields do not line up with the parser's", "malformed header section");
  }
  const status = Number(m[1]);
  if (status < 200) throw malformed(`interim response ${status} to CONNECT`, "interim response to CONNECT");
  return { status, reason: m[2] ?? "", headers };
}
