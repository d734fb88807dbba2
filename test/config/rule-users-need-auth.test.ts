// A rule limited to proxy users (`users:`, issue 14) on a listener without proxy authentication could
// never match (there is no user to compare): the config is rejected, naming the listener and the rule.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initPki } from "../../packages/cli/src/pki/index.ts";
import { ingressConfigProblems } from "../helpers/config-problems.ts";

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-rule-users-"));
  await initPki(join(base, "pki"));
  await mkdir(join(base, "etc", "sites"), { recursive: true });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

it("users: on a rule of a listener without auth: is a problem at the listener, naming the rule", async () => {
  await writeFile(join(base, "etc", "sites", "hq.yaml"), "rules:\n  - match: db\n    peer: east\n  - match: '.*'\n    peer: east\n    users: [alice]\n");
  const path = join(base, "etc", "ingress.yaml");
  await writeFile(path, [
    "listeners:",
    "  - listen: 127.0.0.1:0",
    "    rules: sites/hq.yaml",
    "peers:",
    "  east: { address: '127.0.0.1:4443' }",
    "tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }",
    "",
  ].join("\n"));
  expect(await ingressConfigProblems(path)).toEqual([
    expect.stringMatching(/^2:13: .*sites\/hq\.yaml:4:5: rule has users: but this listener has no auth: \{ users \} to tell who the client is$/),
  ]);
});
