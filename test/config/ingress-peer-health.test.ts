// `peerHealth:` in ingress.yaml (issue 14): absent means no ejection, `{}` the defaults, each key
// bounded, and every mistake reported at its file:line:column.
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, loadIngressConfig } from "@tlsbridge/config";
import { configScratch, ingressConfigProblems } from "../helpers/config-problems.ts";

const scratch = configScratch("peer-health");

function ingressYaml(name: string, health: string | undefined): Promise<string> {
  return scratch.ingressYaml(name, {
    rules: "rules:\n  - match: '.*'\n    peer: cloud\n",
    peers: ["east: { address: '10.0.0.1:4443' }", "west: { address: '10.0.0.2:4443' }"],
    rest: ["peerGroups: { cloud: [east, west] }", ...(health === undefined ? [] : [`peerHealth: ${health}`])],
  });
}

describe("peerHealth", () => {
  it("is off when absent, takes the defaults from {}, and the values given", async () => {
    expect((await loadIngressConfig(await ingressYaml("off", undefined))).options.peerHealth).toBeUndefined();
    expect((await loadIngressConfig(await ingressYaml("defaults", "{}"))).options.peerHealth).toEqual(CONFIG_DEFAULTS.peerHealth);
    expect((await loadIngressConfig(await ingressYaml("given", "{ intervalMs: 1000, failuresToEject: 5, passesToReturn: 1 }"))).options.peerHealth)
      .toEqual({ intervalMs: 1_000, failuresToEject: 5, passesToReturn: 1 });
  });

  it("reports out-of-range values and unknown keys where they stand", async () => {
    expect(await ingressConfigProblems(await ingressYaml("bad", "{ intervalMs: 0, failuresToEject: 0, passesToReturn: 101, after: 3 }"))).toEqual([
      "8:27: expected an integer from 1 to 86400000, got number 0",
      "8:47: expected an integer from 1 to 100, got number 0",
      "8:66: expected an integer from 1 to 100, got number 101",
      "8:71: unknown key 'after'; expected one of intervalMs, failuresToEject, passesToReturn",
    ]);
  });
});
