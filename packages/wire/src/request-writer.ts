// Writes the CONNECT the ingress replays to the peer; the target comes from parseTarget, so only
// the extra header fields need checking for injected lines.
import { headerLines } from "./header-fields.ts";
import type { HeaderList } from "./header-fields.ts";
import { parseTarget } from "./target.ts";
import type { Target } from "./target.ts";

/**
 * `CONNECT <authority> HTTP/1.1`, `Host: <authority>`, then `headers` and the blank line. A `Host`
 * in `headers` is dropped (ours always matches the target). Throws TypeError when a header name is
 * not a token or a value holds CR, LF, NUL or another control character, or when the target's
 * authority is not one parseTarget would produce.
 */
export function formatConnectRequest(target: Target, headers: HeaderList = []): Buffer {
  let valid = false;
  try {
    valid = parseTarget(target.authority).authority === target.authority;
  } catch {
    valid = false;
  }
  if (!valid) throw new TypeError(`target authority ${JSON.stringify(target.authority)} is not normalised`);
  const extra = headers.filter(([name]) => name.toLowerCase() !== "host");
  return Buffer.from(
    `CONNECT ${target.authority} HTTP/1.1\r\nHost: ${target.authority}\r\n${headerLines(extra)}\r\n`,
    "latin1",
  );
}
