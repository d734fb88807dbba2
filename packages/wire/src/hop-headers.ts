// The headers a node adds when it replays a CONNECT: `Via` (RFC 9110 §7.6.3), which also lets a
// node notice a request that already passed through it (a loop), and the tunnel's correlation id,
// which both nodes log so one tunnel can be followed across them.
import { headerValues } from "./header-fields.ts";
import type { HeaderList } from "./header-fields.ts";

/** Header carrying the tunnel's correlation id from the ingress to the peer. */
export const TUNNEL_ID_HEADER = "Tlsbridge-Tunnel-Id";

const TUNNEL_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Our `Via` member: `1.1 <node>`. */
export function viaEntry(node: string): string {
  return `1.1 ${node}`;
}

/** True when a `Via` member of `headers` names `node` (the request already passed through it). */
export function viaIncludes(headers: HeaderList, node: string): boolean {
  for (const value of headerValues(headers, "via")) {
    for (const member of value.split(",")) {
      const parts = member.trim().split(/[ \t]+/);
      if (parts[1] === node) return true;
    }
  }
  return false;
}

/** The correlation id the ingress sent, when present and well-formed (else undefined). */
export function tunnelIdOf(headers: HeaderList): string | undefined {
  const id = headerValues(headers, TUNNEL_ID_HEADER)[0];
  return id !== undefined && TUNNEL_ID.test(id) ? id : undefined;
}
