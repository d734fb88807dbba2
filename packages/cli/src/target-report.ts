// The answer `tlsbridge check` gives for one host:port: per ingress site, which rule and peer it
// takes (or why none; for one proxy user with `--as`); for a peer, whether its allow list admits it
// (for one ingress identity with `--as`), and to which addresses.
import net from "node:net";
import { addressRefusalReason, checkDestinationAddresses } from "@tlsbridge/peer";
import { appliesTo, describeRule } from "@tlsbridge/rules";
import type { AllowEntry } from "@tlsbridge/rules";
import type { Target } from "@tlsbridge/wire";
import { formatHostPort } from "@tlsbridge/config";
import type { LoadedIngressConfig, LoadedPeerConfig } from "@tlsbridge/config";

/**
 * Lines (without trailing newline) saying where `target` would go through this ingress, one per
 * site, for the proxy user `user` (undefined: an unauthenticated client; rules with `users:` refuse it).
 */
export function ingressTargetReport(loaded: LoadedIngressConfig, target: Target, user?: string): string[] {
  const lines = [user === undefined ? target.authority : `${target.authority} as user ${user}`];
  for (const listener of loaded.options.listeners) {
    const site = `site ${listener.site} (${formatHostPort(listener)})`;
    // A user the listener's users file lacks can never log in there: said, then decided as asked.
    if (user !== undefined && listener.auth !== undefined && !listener.auth.users.has(user)) {
      lines.push(`  ${site}: no user ${user} in its users file (its clients could not log in as ${user})`);
    }
    const why = listener.rules.explain(target.host, target.port, user);
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
    const users = rule.users === undefined ? "" : ` for users ${rule.users.sources.join(", ")}`;
    lines.push(`  ${site}: ${describeRule(rule)} '${rule.match}' ${ports}${users} -> ${to}`);
  }
  return lines;
}

/**
 * Lines saying whether this peer would dial `target` for the ingress identity `as` (a DNS name, URI
 * such as a SPIFFE ID, or CN of its certificate; undefined: entries for particular ingresses are
 * listed as such), by which entries, to which addresses; or why not.
 */
export function peerTargetReport(loaded: LoadedPeerConfig, target: Target, as?: string): string[] {
  const allow = loaded.options.allow;
  const who = as === undefined ? target.authority : `${target.authority} as ${as}`;
  const matching = allow.forTarget(target.host, target.port);
  const admitting = as === undefined ? matching : matching.filter((e) => appliesTo(e, [as]));
  const others = matching.filter((e) => !admitting.includes(e));
  const refusedFor = others.map((e) => `${describeEntry(e)} matches but is only for ingresses ${ingressesOf(e)}`);
  if (admitting.length === 0) {
    if (allow.entries.length === 0) return [`${who}: not allowed (403): the allow list is empty`];
    const near = allow.entries.filter((e) => e.pattern.matches(target.host) && !matching.includes(e));
    const why = [
      ...refusedFor,
      ...near.map((e) => `${describeEntry(e)} matches the host but not port ${target.port} (${portsOf(e)})`),
    ];
    return [`${who}: not allowed (403): ${why.length === 0 ? "no allow entry's pattern matches the host" : why.join("; ")}`];
  }
  const lines = admitting.map((e) => {
    const only = e.ingresses === undefined ? "" : `, for ingresses ${ingressesOf(e)}`;
    const proxyProtocol = e.proxyProtocol === undefined ? "" : `, the service gets a PROXY ${e.proxyProtocol} header`;
    return `${who}: allowed by ${describeEntry(e)} '${e.match}' ${portsOf(e)}${only}${proxyProtocol}; ${addressesOf(e)}`;
  });
  for (const line of refusedFor) lines.push(`  (${line})`);
  // An IP literal is dialed as is: the address check can be answered now.
  if (net.isIP(target.host) !== 0) {
    const address = target.host;
    const { admitted } = checkDestinationAddresses(admitting, [{ address }]);
    lines.push(admitted.length > 0
      ? `  address ${address}: admitted`
      : `  address ${address}: refused (403 destination_ip_prohibited): ${addressRefusalReason(admitting, address)}`);
  }
  return lines;
}

function describeEntry(entry: AllowEntry): string {
  return entry.line > 0 ? `allow[${entry.index}] (${entry.file}:${entry.line}:${entry.column})` : `allow[${entry.index}]`;
}

function portsOf(entry: AllowEntry): string {
  return entry.ports === undefined ? "any port" : `ports ${entry.ports.join(", ")}`;
}

function ingressesOf(entry: AllowEntry): string {
  return (entry.ingresses ?? []).map((p) => `'${p.source}'`).join(", ");
}

function addressesOf(entry: AllowEntry): string {
  return entry.addresses === undefined
    ? "names may resolve to any address but loopback, link-local (metadata), unspecified, multicast and broadcast ones"
    : `names may resolve only to ${entry.addresses.sources.join(", ")}`;
}
