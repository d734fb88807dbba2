import { describe, expect, it } from "vitest";
import { RuleSet } from "@tlsbridge/rules";
import type { IngressOptions } from "@tlsbridge/ingress";
import { describeUnreachable, unreachableTargets } from "./rule-reachability.ts";

/** Just what readiness reads: the listeners' rules and the groups. */
function options(rules: Array<{ match: string; peer: string }>, groups: Record<string, string[]>): IngressOptions {
  return {
    listeners: [{ rules: RuleSet.fromEntries(rules, { file: "hq.yaml" }) }],
    peerGroups: new Map(Object.entries(groups)),
  } as unknown as IngressOptions;
}

describe("unreachableTargets", () => {
  const config = options(
    [{ match: "a", peer: "cloud" }, { match: "b", peer: "east" }, { match: "c", peer: "cloud" }],
    { cloud: ["east", "west"] },
  );

  it("is empty while every rule has a peer up: a group needs one member", () => {
    expect(unreachableTargets(config, (p) => p === "east")).toEqual([]);
  });

  it("names a single peer a rule needs", () => {
    const out = unreachableTargets(config, (p) => p === "west");
    expect(out.map((u) => u.target)).toEqual(["east"]);
    expect(describeUnreachable(out[0]!)).toMatch(/^unreachable: peer east, no peer up for the rule at hq\.yaml:/);
  });

  it("names a group with no member up once, with every rule naming it", () => {
    const out = unreachableTargets(config, () => false);
    expect(out.map((u) => [u.target, u.rules.length])).toEqual([["cloud", 2], ["east", 1]]);
    expect(describeUnreachable(out[0]!)).toMatch(/^unreachable: peer group cloud \(east, west\), no peer up for 2 rules at /);
  });

  it("ignores peers no rule names", () => {
    expect(unreachableTargets(options([{ match: "a", peer: "east" }], {}), (p) => p === "east")).toEqual([]);
  });
});
