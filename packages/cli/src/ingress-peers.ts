// The ingress's `peers:` mapping: name -> { address, servername? }. The names are what rule files
// may say in `peer:`; servername defaults to the address's host.
import { isMap, isScalar } from "yaml";
import { addProblem, describeNode, expectMap, requireKey, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { PeerEndpoint } from "@tlsbridge/ingress";
import { expectHostPort, parseHostPort } from "./listen-address.ts";
import { optionalString } from "./settings-section.ts";

const PEER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A DNS name or IP address: what `host:port` accepts as host (port 1 stands in for the check). */
function isServername(s: string): boolean {
  return typeof parseHostPort(`${s.includes(":") ? `[${s}]` : s}:1`, 1) !== "string";
}

/**
 * Parses `peers:`; returns the endpoints found (possibly incomplete, with problems recorded) and
 * whether the section was a mapping, so rule files are checked against its names only then.
 */
export function parsePeers(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
): { readonly peers: Map<string, PeerEndpoint>; readonly names: ReadonlySet<string> | undefined } {
  const peers = new Map<string, PeerEndpoint>();
  const map = resolveNode(node, source);
  if (!isMap(map)) {
    addProblem(map, source, problems, `expected a mapping of peer names to { address, servername }, got ${describeNode(map)}`);
    return { peers, names: undefined };
  }
  const names = new Set<string>();
  for (const pair of map.items) {
    const key = resolveNode(pair.key, source);
    if (!isScalar(key) || typeof key.value !== "string" || !PEER_NAME.test(key.value)) {
      addProblem(key ?? map, source, problems, `expected a peer name (letters, digits, '.', '_', '-'), got ${describeNode(key)}`);
      continue;
    }
    const name = key.value;
    names.add(name);
    const fields = expectMap(pair.value, source, problems, ["address", "servername"]);
    if (fields === undefined) continue;
    const addressNode = requireKey(fields, "address", source, problems);
    const address = fields.values.has("address") ? expectHostPort(addressNode, source, problems, 1) : undefined;
    if (address === undefined) continue;
    const servername = optionalString(fields, "servername", address.host, isServername,
      "a DNS name or IP address", source, problems);
    peers.set(name, { name, host: address.host, port: address.port, servername });
  }
  if (map.items.length === 0) addProblem(map, source, problems, "expected at least one peer");
  return { peers, names };
}
