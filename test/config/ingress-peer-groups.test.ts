// `peerGroups:` in ingress.yaml: loaded into IngressOptions, usable by rules, and every mistake
// reported at its file:line:column.
import { describe, expect, it } from "vitest";
import { parseTarget } from "@tlsbridge/wire";
import { loadIngressConfig } from "@tlsbridge/config";
import { configScratch, ingressConfigProblems } from "../helpers/config-problems.ts";
import { ingressTargetReport } from "../../packages/cli/src/target-report.ts";

const scratch = configScratch("peer-groups");

function ingressYaml(name: string, groups: string, rulePeer = "cloud"): Promise<string> {
  return scratch.ingressYaml(name, {
    rules: `rules:\n  - match: 'api[.]example'\n    peer: ${rulePeer}\n`,
    peers: ["east: { address: '10.0.0.1:4443', servername: peer.example }", "west: { address: '10.0.0.2:4443', servername: peer.example }"],
    rest: [groups],
  });
}

describe("peerGroups", () => {
  it("loads groups that rules can name, and check shows the members in turn", async () => {
    const loaded = await loadIngressConfig(await ingressYaml("good", "peerGroups:\n  cloud: [east, west]"));
    expect(loaded.options.peerGroups?.get("cloud")).toEqual(["east", "west"]);
    expect(ingressTargetReport(loaded, parseTarget("api.example:443"))[1]).toMatch(
      /-> peer group cloud, in turn: peer east at 10\.0\.0\.1:4443 \(servername peer\.example\); peer west at 10\.0\.0\.2:4443/,
    );
  });

  it("reports unknown members, duplicates, empty groups and a name taken by a peer, each where it stands", async () => {
    const path = await ingressYaml("bad", "peerGroups:\n  cloud: [east, north, east]\n  empty: []\n  west: [east]", "cloud");
    expect(await ingressConfigProblems(path)).toEqual([
      "8:17: unknown peer 'north'; expected one of east, west",
      "8:24: peer 'east' is listed twice in group 'cloud'",
      "9:10: peer group 'empty' is empty; list at least one peer",
      "10:3: 'west' is already a peer name; a group needs a name of its own",
    ]);
  });

  it("a rule naming neither a peer nor a group is a problem in the rule file", async () => {
    const path = await ingressYaml("nogroup", "peerGroups:\n  cloud: [east]", "nowhere");
    const problems = await ingressConfigProblems(path);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^3:11: unknown peer 'nowhere'; expected one of cloud, east, west$/);
  });
});
