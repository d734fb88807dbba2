// The answer `tlsbridge check` gives for one host:port: per ingress site, which rule and peer it
// takes (or why none); for a peer, whether its allow list admits it.
import { describeRule } from "@tlsbridge/rules";
import type { AllowEntry } from "@tlsbridge/rules";
import type { Target } from "@tlsbridge/wire";
import { formatHostPort } from "@tlsbridge/config";
import type { LoadedIngressConfig, LoadedPeerConfig } from "@tlsbridge/config";

/** Lines (without trailing newline) saying where `target` would go through this ingress, one per site. */
export function ingressTargetReport(loaded: LoadedIngressConfig, target: Target): string[] {
  const lines = [target.authority];
  for (const listener of loaded.options.listeners) {
    const site = `site ${listener.site} (${formatHostPort(listener)})`;
    const why = listener.rules.explain(target.host, target.port);
    const match = why.match;
    if (match === undefined) {
      lines.push(`  ${site}: refused (403): ${why.summary}`);
      continue;
    }
    const rule = match.rule;
    const peer = loaded.options.peers.get(rule.peer);
    const group = loaded.options.peerGroups?.get(rule.peer);
    const ports = rule.ports === undefined ? "any port" : `ports ${rule.ports.join(", ")}`;
    const describePeer = (p: { name: string; host: string; port: number; servername: string; via?: { name: string } }): string =>
      `peer ${p.name} at ${formatHostPort(p)} (servername ${p.servername})${p.via === undefined ? "" : ` via corporate proxy ${p.via.name}`}`;
    const to = peer !== undefined ? describePeer(peer)
      : group !== undefined
        ? `peer group ${rule.peer}, in turn: ${group.map((name) => {
          const member = loaded.options.peers.get(name);
          return member === undefined ? `peer ${name} (not configured)` : describePeer(member);
        }).join("; ")}`
        : `peer ${rule.peer} (not configured)`;
    lines.push(`  ${site}: ${describeRule(rule)} '${rule.match}' ${ports} -> ${to}`);
  }
  return lines;
}

/** One line saying whether this peer would dial `target`, and by which entry, or why not. */
export function peerTargetReport(loaded: LoadedPeerConfig, target: Target): string[] {
  const allow = loaded.options.allow;
  const entry = allow.find(target.host, target.port);
  if (entry !== undefined) {
    return [`${target.authority}: allowed by ${describeEntry(entry)} '${entry.match}' ${portsOf(entry)}`];
  }
  if (allow.entries.length === 0) return [`${target.authority}: not allowed (403): the allow list is empty`];
  const near = allow.entries.filter((e) => e.pattern.matches(target.host));
  const why = near.length === 0
    ? "no allow entry's pattern matches the host"
    : near.map((e) => `${describeEntry(e)} matches the host but not port ${target.port} (${portsOf(e)})`).join("; ");
  return [`${target.authority}: not allowed (403): ${why}`];
}

function describeEntry(entry: AllowEntry): string {
  return entry.line > 0 ? `allow[${entry.index}] (${entry.file}:${entry.line}:${entry.column})` : `allow[${entry.index}]`;
}

function portsOf(entry: AllowEntry): string {
  return entry.ports === undefined ? "any port" : `ports ${entry.ports.join(", ")}`;
}
