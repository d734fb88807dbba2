// Which peers a routed tunnel may use, in the order to try them: the one peer a rule names, or the
// members of a peer group, starting one further for each tunnel so a group shares the load. A member
// that could not be dialed goes to the back for a while, so later tunnels do not each pay its dial
// failure (or, for a peer that drops packets, its connect timeout) before reaching a working one.
// With `peerHealth:`, a member PeerHealth has ejected is left out altogether, unless every member
// of the group is ejected: then all are tried, as a refusal would serve no one.
import type { PeerEndpoint } from "./ingress-options.ts";
import type { PeerHealth } from "./peer-health.ts";

/** How long a peer that could not be dialed is tried last in its groups. */
export const UNREACHABLE_HOLD_MS = 10_000;

/** Resolves the `peer:` of a rule (a peer or a group name) to the peers to try. */
export class PeerChoice {
  readonly #peers: ReadonlyMap<string, PeerEndpoint>;
  readonly #groups: ReadonlyMap<string, readonly PeerEndpoint[]>;
  readonly #turns = new Map<string, number>();
  /** Peer name -> time (ms since epoch) until which it is tried last. */
  readonly #heldUntil = new Map<string, number>();
  readonly #health: PeerHealth | undefined;
  /** Peers that are members of some group: the only ones health routing concerns (and probes). */
  readonly #grouped: ReadonlySet<string>;

  /** Groups name members of `peers`; the config loader has checked that they exist. */
  constructor(peers: ReadonlyMap<string, PeerEndpoint>, groups: ReadonlyMap<string, readonly string[]> = new Map(), health?: PeerHealth) {
    this.#peers = peers;
    this.#health = health;
    const resolved = new Map<string, readonly PeerEndpoint[]>();
    for (const [name, members] of groups) {
      resolved.set(name, members.map((member) => {
        const peer = peers.get(member);
        if (peer === undefined) throw new Error(`peer group ${name} names unknown peer ${member}`);
        return peer;
      }));
    }
    this.#groups = resolved;
    this.#grouped = new Set([...groups.values()].flat());
  }

  /** The health it routes by (`peerHealth:`), or undefined without it. */
  get health(): PeerHealth | undefined {
    return this.#health;
  }

  /**
   * The peers to try for `name`, first choice first; empty when the name is neither. Members held
   * back after a failed dial come last (still tried when every other member fails too).
   */
  candidates(name: string, now = Date.now()): readonly PeerEndpoint[] {
    const peer = this.#peers.get(name);
    if (peer !== undefined) return [peer];
    const members = this.#groups.get(name);
    if (members === undefined || members.length === 0) return [];
    const turn = this.#turns.get(name) ?? 0;
    this.#turns.set(name, (turn + 1) % members.length);
    const all = members.map((_, i) => members[(turn + i) % members.length] as PeerEndpoint);
    const inRotation = this.#health === undefined ? all : all.filter((p) => !this.#health?.isEjected(p.name));
    const inTurn = inRotation.length > 0 ? inRotation : all;
    const held = (p: PeerEndpoint): boolean => (this.#heldUntil.get(p.name) ?? 0) > now;
    return [...inTurn.filter((p) => !held(p)), ...inTurn.filter(held)];
  }

  /**
   * Remembers that `name` could not be dialed: its groups try it last for UNREACHABLE_HOLD_MS, and
   * PeerHealth counts a failure towards ejecting it.
   */
  markUnreachable(name: string, now = Date.now()): void {
    this.#heldUntil.set(name, now + UNREACHABLE_HOLD_MS);
    if (this.#grouped.has(name)) this.#health?.failed(name, "dial");
  }

  /** Remembers that `name` answered a tunnel (whatever it answered): its run of failures is over. */
  markReached(name: string): void {
    if (this.#grouped.has(name)) this.#health?.passed(name, "dial");
  }
}
