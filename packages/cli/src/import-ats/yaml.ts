// Turns imported ATS mappings into a tlsbridge rule file (`rules: - match, peer`) and the `peers:`
// section ingress.yaml needs for them: ATS named peers by host:port, tlsbridge by name.
import { isIP } from "node:net";
import type { AtsMapping } from "./parse.ts";
import { parseAtsPeer } from "./parse.ts";

/** A peer the imported rules name, as it goes into ingress.yaml's `peers:`. */
export type ImportedPeer = { readonly name: string; readonly address: string; readonly defaultPort: boolean };

/**
 * Names each distinct ATS peer address: its host (`peer.ats`) when that host appears with one port
 * only, else `host-port`; an address gets a `peer-` prefix; characters a peer name cannot hold
 * become `-`. Spellings of one address (`peer.ats` and `peer.ats:443`, any case) map to the same
 * peer (issue 15: they became two peers with the same address). Unparsable peers are left out (the
 * caller reports them).
 */
export function namePeers(mappings: readonly AtsMapping[]): Map<string, ImportedPeer> {
  const spellings = new Map<string, { host: string; port: number; defaultPort: boolean; ats: string[] }>();
  for (const m of mappings) {
    const parsed = parseAtsPeer(m.peer);
    if (parsed === undefined) continue;
    const host = parsed.host.toLowerCase();
    const key = `${host} ${parsed.port}`;
    const seen = spellings.get(key) ?? { host, port: parsed.port, defaultPort: true, ats: [] };
    // 443 assumed only while no spelling of this address says it.
    seen.defaultPort &&= !/:\d+$/.test(m.peer);
    if (!seen.ats.includes(m.peer)) seen.ats.push(m.peer);
    spellings.set(key, seen);
  }
  const portsByHost = new Map<string, Set<number>>();
  for (const { host, port } of spellings.values()) portsByHost.set(host, (portsByHost.get(host) ?? new Set()).add(port));
  const out = new Map<string, ImportedPeer>();
  const taken = new Set<string>();
  for (const { host, port, defaultPort, ats } of spellings.values()) {
    // An address alone would make a name YAML might read as a number: `peer-10.0.0.5`.
    const readable = isIP(host) === 0 ? host : `peer-${host}`;
    const base = (portsByHost.get(host)?.size ?? 0) > 1 ? `${readable}-${port}` : readable;
    let name = base.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 63) || "peer";
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 60)}-${n}`;
    taken.add(name);
    const peer = { name, address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`, defaultPort };
    for (const spelling of ats) out.set(spelling, peer);
  }
  return out;
}

/** Each peer once, in the order they were named (several ATS spellings share one). */
export function distinctPeers(peers: ReadonlyMap<string, ImportedPeer>): ImportedPeer[] {
  return [...new Set(peers.values())];
}

/** YAML single-quoted scalar: only `'` needs escaping (as `''`). */
function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The `peers:` section for ingress.yaml, as lines. */
export function peersSnippet(peers: Iterable<ImportedPeer>): string[] {
  const lines = ["peers:"];
  for (const p of peers) {
    lines.push(`  ${p.name}:`);
    lines.push(`    address: ${p.address}${p.defaultPort ? "   # ATS config gave no port: 443 assumed, check it" : ""}`);
  }
  return lines;
}

/** The rule file text: a header saying where it came from, the peers to define, then the rules. */
export function ruleFileYaml(
  mappings: readonly AtsMapping[],
  peers: ReadonlyMap<string, ImportedPeer>,
  from: string,
): string {
  const lines = [
    `# Imported from ATS tls_bridge configuration (${from}) by \`tlsbridge rules import-ats\`.`,
    "# Each match now covers the whole host name (ATS anchored only its start) in any case (ATS was",
    "# case-sensitive): read the notes the import printed. The peers must be defined in ingress.yaml:",
    "#",
    ...peersSnippet(distinctPeers(peers)).map((l) => `#   ${l}`),
    "",
    "rules:",
  ];
  for (const m of mappings) {
    const peer = peers.get(m.peer);
    if (peer === undefined) continue;
    lines.push(`  - match: ${quote(m.pattern)}   # ${m.file}:${m.line}`);
    lines.push(`    peer: ${peer.name}`);
  }
  return `${lines.join("\n")}\n`;
}
