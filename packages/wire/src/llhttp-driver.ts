// Drives llhttp-wasm over one whole head in a single `execute` (1.0.3 cuts values that straddle two
// calls), with one reused parser per direction so nothing leaks into the shared wasm heap.
import { createParser, TYPE } from "llhttp-wasm";
import type { HeadersComplete, Parser } from "llhttp-wasm";

/** What llhttp made of a head: its view of it, or why it refused it. */
export type LlhttpResult =
  | { ok: true; info: HeadersComplete }
  | { ok: false; error: string; reason: string; offset: number };

const PAUSED_UPGRADE = 22;
let requestParser: Parser | undefined;
let responseParser: Parser | undefined;

function parserFor(kind: "request" | "response"): Parser {
  if (kind === "request") return (requestParser ??= createParser(TYPE.REQUEST ?? 1));
  return (responseParser ??= createParser(TYPE.RESPONSE ?? 2));
}

/**
 * Runs llhttp over `head` (the whole head, ending in CRLF CRLF). Succeeds only when the parser
 * reaches the end of the headers exactly at the end of `head`: its idea of where the head ends
 * must equal the scanner's, so no byte is read differently by the two.
 */
export function runLlhttp(kind: "request" | "response", head: Uint8Array): LlhttpResult {
  const parser = parserFor(kind);
  parser.reset();
  let info: HeadersComplete | undefined;
  // 2: no body, pause as on upgrade; llhttp then stops right after the head for every message.
  parser.onHeadersComplete = (msg) => {
    info = msg;
    return 2;
  };
  try {
    const ret = parser.execute(head);
    if (ret === PAUSED_UPGRADE && info !== undefined) {
      const offset = parser.getErrorPosition();
      if (offset !== head.length) {
        return { ok: false, error: "HPE_HEAD_END", reason: "head ends before the end of the buffer", offset };
      }
      return { ok: true, info };
    }
    if (ret === 0) {
      return { ok: false, error: "HPE_INCOMPLETE", reason: "incomplete head", offset: head.length };
    }
    return {
      ok: false,
      error: parser.getErrorName(ret) ?? `HPE_${ret}`,
      reason: parser.getErrorReason(ret) ?? "parse error",
      offset: parser.getErrorPosition(),
    };
  } finally {
    parser.onHeadersComplete = undefined;
    parser.reset();
    // Drop the strings of this head; the wrapper only clears them on the next message.
    parser.url = "";
    parser.statusMessage = undefined;
    parser.headerFields = [];
    parser.headerValues = [];
  }
}
