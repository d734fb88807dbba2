// The ingress's `peers:` mapping: name -> { address, servername?, mode?, pool?, via? }. The names are what
// rule files may say in `peer:`; servername defaults to the address's host; mode to auto (the TLS
// handshake picks h2 for a tlsbridge peer, h1 for ATS or squid); no warm pool unless `pool:` is given.
import { isMap, isScalar } from "yaml";
import { addProblem, describeNode, expectInt, expectMap, requireKey, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { PeerEndpoint } from "@tlsbridge/ingress";
import { expectHostPort, parseHostPort } from "./listen-address.ts";
import { parseVia } from "./peer-via.ts";
import { optionalInt, optionalString } from "./settings-section.ts";

/**
 * Peer modes: `auto` (default) asks the peer at the first handshake (ALPN `tlsbridge/1`); `h1` one
 * TLS connection per tunnel; `h2` CONNECT streams on one connection.
 */
const PEER_MODES: readonly string[] = ["auto", "h1", "h2"];
/** `pool:` defaults: 4 warm connections, each closed after 4 s unused (below the peer's 10 s head timeout). */
export const POOL_DEFAULTS = { size: 4, maxIdleMs: 4_000 } as const;
const MAX_POOL_SIZE = 64;

/** What a peer name, and so a peer-group name (one namespace with peers), may look like. */
export const PEER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A DNS name or IP address: what `host:port` accepts as host (port 1 stands in for the check). */
function isServername(s: string): boolean {
  return typeof parseHostPort(`${s.includes(":") ? `[${s}]` : s}:1`, 1) !== "string";
}

/**
 * Parses `peers:`; returns the endpoints found (possibly incomplete, with problems recorded) and
 * whether the section was a mapping, so rule files are checked against its names only then.
 */
export async function parsePeers(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<{ readonly peers: Map<string, PeerEndpoint>; readonly names: ReadonlySet<string> | undefined; readonly files: readonly string[] }> {
  const peers = new Map<string, PeerEndpoint>();
  const files: string[] = [];
  const map = resolveNode(node, source);
  if (!isMap(map)) {
    addProblem(map, source, problems, `expected a mapping of peer names to { address, servername }, got ${describeNode(map)}`);
    return { peers, names: undefined, files };
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
    const fields = expectMap(pair.value, source, problems, ["address", "servername", "mode", "pool", "via"]);
    if (fields === undefined) continue;
    const addressNode = requireKey(fields, "address", source, problems);
    const address = fields.values.has("address") ? expectHostPort(addressNode, source, problems, 1) : undefined;
    if (address === undefined) continue;
    const servername = optionalString(fields, "servername", address.host, isServername,
      "a DNS name or IP address", source, problems);
    const mode = optionalString(fields, "mode", "auto", (m) => PEER_MODES.includes(m), "auto, h1 or h2", source, problems) as "auto" | "h1" | "h2";
    let pool: { size: number; maxIdleMs: number } | undefined;
    if (fields.values.has("pool")) {
      const poolFields = expectMap(fields.values.get("pool"), source, problems, ["size", "maxIdleMs"]);
      if (poolFields !== undefined) {
        const size = poolFields.values.has("size")
          ? expectInt(poolFields.values.get("size"), source, problems, 0, MAX_POOL_SIZE) ?? POOL_DEFAULTS.size
          : POOL_DEFAULTS.size;
        pool = { size, maxIdleMs: optionalInt(poolFields, "maxIdleMs", POOL_DEFAULTS.maxIdleMs, source, problems) };
        if (mode === "h2") addProblem(resolveNode(fields.values.get("pool"), source), source, problems, "pool is for mode h1 or auto (mode h2 keeps one connection)");
      }
    }
    const via = fields.values.has("via") ? await parseVia(fields.values.get("via"), baseDir, source, problems) : undefined;
    if (via !== undefined) files.push(...via.files);
    peers.set(name, {
      name, host: address.host, port: address.port, servername, mode,
      ...(pool !== undefined && pool.size > 0 ? { pool } : {}),
      ...(via !== undefined ? { via: via.proxy } : {}),
    });
  }
  if (map.items.length === 0) addProblem(map, source, problems, "expected at least one peer");
  return { peers, names, files };
}
