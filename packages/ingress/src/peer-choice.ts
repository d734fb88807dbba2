// Which peers a routed tunnel may use, in the order to try them: the one peer a rule names, or the
// members of a peer group, starting one further for each tunnel so a group shares the load.
import type { PeerEndpoint } from "./ingress-options.ts";

/** Resolves the `peer:` of a rule (a peer or a group name) to the peers to try. */
export class PeerChoice {
  readonly #peers: ReadonlyMap<string, PeerEndpoint>;
  readonly #groups: ReadonlyMap<string, readonly PeerEndpoint[]>;
  readonly #turns = new Map<string, number>();

  /** Groups name members of `peers`; the cli's config loader has checked that they exist. */
  constructor(peers: ReadonlyMap<string, PeerEndpoint>, groups: ReadonlyMap<string, readonly string[]> = new Map()) {
    this.#peers = peers;
    const resolved = new Map<string, readonly PeerEndpoint[]>();
    for (const [name, members] of groups) {
      resolved.set(name, members.map((member) => {
        const peer = peers.get(member);
        if (peer === undefined) throw new Error(`peer group ${name} names unknown peer ${member}`);
        return peer;
      }));
    }
    this.#groups = resolved;
  }

  /** The peers to try for `name`, first choice first; empty when the name is neither. */
  candidates(name: string): readonly PeerEndpoint[] {
    const peer = this.#peers.get(name);
    if (peer !== undefined) return [peer];
    const members = this.#groups.get(name);
    if (members === undefined || members.length === 0) return [];
    const turn = this.#turns.get(name) ?? 0;
    this.#turns.set(name, (turn + 1) % members.length);
    return members.map((_, i) => members[(turn + i) % members.length] as PeerEndpoint);
  }
}
