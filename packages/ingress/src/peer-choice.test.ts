// Peer groups: members in turn, a held-back member last until its hold expires.
import { describe, expect, it } from "vitest";
import type { PeerEndpoint } from "./ingress-options.ts";
import { PeerChoice, UNREACHABLE_HOLD_MS } from "./peer-choice.ts";

const peer = (name: string): PeerEndpoint => ({ name, host: "127.0.0.1", port: 1, servername: "localhost" });
const peers = new Map(["a", "b", "c"].map((n) => [n, peer(n)]));
const names = (list: readonly PeerEndpoint[]): string[] => list.map((p) => p.name);

describe("PeerChoice", () => {
  it("names a single peer directly, a group's members one further each time, and nothing else", () => {
    const choice = new PeerChoice(peers, new Map([["g", ["a", "b", "c"]]]));
    expect(names(choice.candidates("b"))).toEqual(["b"]);
    expect(names(choice.candidates("g"))).toEqual(["a", "b", "c"]);
    expect(names(choice.candidates("g"))).toEqual(["b", "c", "a"]);
    expect(names(choice.candidates("g"))).toEqual(["c", "a", "b"]);
    expect(choice.candidates("nope")).toEqual([]);
  });

  it("tries an unreachable member last until its hold expires", () => {
    const choice = new PeerChoice(peers, new Map([["g", ["a", "b", "c"]]]));
    choice.markUnreachable("a", 1_000);
    expect(names(choice.candidates("g", 1_000))).toEqual(["b", "c", "a"]);
    expect(names(choice.candidates("g", 1_000 + UNREACHABLE_HOLD_MS - 1))).toEqual(["b", "c", "a"]);
    expect(names(choice.candidates("g", 1_000 + UNREACHABLE_HOLD_MS))).toEqual(["c", "a", "b"]);
  });
});
