// When an ingress is ready (issue 9): every rule can reach at least one peer. A rule that names a peer
// group is served while any member is up (failover passes over the others); one that names a single
// peer needs that peer. One group member down left `/readyz` at 503 although every rule was served,
// so an orchestrator would have taken a healthy ingress out of service.
import type { IngressOptions } from "@tlsbridge/ingress";

/** What the rules name that no peer can serve now: one entry per peer or group name. */
export type UnreachableTarget = {
  /** The peer or peer group the rules name. */
  readonly target: string;
  /** Its members (a single peer: itself). */
  readonly members: readonly string[];
  /** `file:line:column` of each rule that names it, in config order. */
  readonly rules: readonly string[];
};

/** The peers and groups named by some rule of which no member is up; empty means ready. */
export function unreachableTargets(options: IngressOptions, up: (peer: string) => boolean): UnreachableTarget[] {
  const byTarget = new Map<string, { members: readonly string[]; rules: string[] }>();
  for (const listener of options.listeners) {
    for (const rule of listener.rules.rules) {
      const members = options.peerGroups?.get(rule.peer) ?? [rule.peer];
      if (members.some(up)) continue;
      const entry = byTarget.get(rule.peer) ?? { members, rules: [] };
      entry.rules.push(`${rule.file}:${rule.line}:${rule.column}`);
      byTarget.set(rule.peer, entry);
    }
  }
  return [...byTarget].map(([target, { members, rules }]) => ({ target, members, rules }));
}

/** One `/readyz` line for an unreachable target. */
export function describeUnreachable(u: UnreachableTarget): string {
  const what = u.members.length === 1 && u.members[0] === u.target ? `peer ${u.target}` : `peer group ${u.target} (${u.members.join(", ")})`;
  const shown = u.rules.length > 3 ? [...u.rules.slice(0, 3), `and ${u.rules.length - 3} more`] : u.rules;
  return `unreachable: ${what}, no peer up for ${u.rules.length === 1 ? "the rule" : `${u.rules.length} rules`} at ${shown.join(", ")}`;
}
