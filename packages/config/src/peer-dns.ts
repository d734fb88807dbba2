// The peer's optional `dns:` section: the DNS servers it asks about service names instead of the
// system's resolver (`dns: { servers: ['10.0.0.53', '[fd00::53]:5353'] }`). Absent: getaddrinfo.
import net from "node:net";
import { addProblem, expectMap, expectNonEmptySeq, expectString, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { PeerDnsOptions } from "@tlsbridge/peer";

/** Keys of `dns:`. */
export const PEER_DNS_KEYS: readonly string[] = ["servers"];

/** Parses `dns:`; undefined (with problems) when it is wrong. */
export function parsePeerDns(node: unknown, source: YamlSource, problems: ConfigProblem[]): PeerDnsOptions | undefined {
  const fields = expectMap(node, source, problems, PEER_DNS_KEYS);
  if (fields === undefined) return undefined;
  const serversNode = fields.values.get("servers");
  if (!fields.values.has("servers")) {
    addProblem(fields.node, source, problems, "missing key 'servers': the DNS servers to ask (leave `dns` out to use the system's resolver)");
    return undefined;
  }
  const items = expectNonEmptySeq(serversNode, source, problems, "an empty `servers` list resolves nothing; leave `dns` out to use the system's resolver");
  if (items === undefined) return undefined;
  const servers: string[] = [];
  let ok = true;
  for (const item of items) {
    const at = resolveNode(item, source);
    const text = expectString(at, source, problems, { nonEmpty: true });
    const why = text === undefined ? undefined : serverProblem(text);
    if (text === undefined || why !== undefined) {
      if (why !== undefined) addProblem(at, source, problems, why);
      ok = false;
      continue;
    }
    servers.push(text);
  }
  return ok ? { servers } : undefined;
}

/** Why `text` is not a server address Resolver.setServers takes (an IP, optionally with a port). */
function serverProblem(text: string): string | undefined {
  const expected = `expected a DNS server as an IP address, optionally with a port ('10.0.0.53', '10.0.0.53:5353', '[fd00::53]:5353'), got '${text}'`;
  if (net.isIP(text) !== 0) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (m === null) return expected;
  const ip = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  if ((m[1] !== undefined ? net.isIPv6(ip) : net.isIPv4(ip)) === false) return expected;
  if (port < 1 || port > 65535) return `port ${port} is outside 1..65535 in '${text}'`;
  return undefined;
}
