// A rule limited to proxy users (`users:`, issue 14) on a listener without proxy authentication could
// never match (there is no user to compare): the config is rejected, naming the listener and the rule.
import { expect, it } from "vitest";
import { configScratch, ingressConfigProblems } from "../helpers/config-problems.ts";

const scratch = configScratch("rule-users");

it("users: on a rule of a listener without auth: is a problem at the listener, naming the rule", async () => {
  const path = await scratch.ingressYaml("hq", {
    rules: "rules:\n  - match: db\n    peer: east\n  - match: '.*'\n    peer: east\n    users: [alice]\n",
    peers: ["east: { address: '127.0.0.1:4443' }"],
  });
  expect(await ingressConfigProblems(path)).toEqual([
    expect.stringMatching(/^2:13: .*sites\/hq\.yaml:4:5: rule has users: but this listener has no auth: \{ users \} to tell who the client is$/),
  ]);
});
