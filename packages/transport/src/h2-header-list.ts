// An HTTP/2 header block as the header list the HTTP/1.1 path works with, so both modes read the
// same fields the same way (the ingress a peer's answer, the peer an ingress's CONNECT).
import type http2 from "node:http2";

/** The regular fields of `headers` in `[name, value]` pairs, one per value; pseudo-headers left out. */
export function h2HeaderList(headers: http2.IncomingHttpHeaders): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) list.push([name, v]);
  }
  return list;
}
