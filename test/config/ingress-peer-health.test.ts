// `peerHealth:` in ingress.yaml (issue 14): absent means no ejection, `{}` the defaults, each key
// bounded, and every mistake reported at its file:line:column.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, loadIngressConfig } from "@tlsbridge/config";
import { initPki } from "../../packages/cli/src/pki/index.ts";
import { ingressConfigProblems } from "../helpers/config-problems.ts";

let base: string;

async function ingressYaml(name: string, health: string | undefined): Promise<string> {
  await writeFile(join(base, "etc", "sites", `${name}.yaml`), "rules:\n  - match: '.*'\n    peer: cloud\n");
  const path = join(base, "etc", `${name}.yaml`);
  await writeFile(path, [
    "listeners:",
    "  - listen: 127.0.0.1:0",
    `    rules: sites/${name}.yaml`,
    "peers:",
    "  east: { address: '10.0.0.1:4443' }",
    "  west: { address: '10.0.0.2:4443' }",
    "peerGroups: { cloud: [east, west] }",
    ...(health === undefined ? [] : [`peerHealth: ${health}`]),
    "tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }",
    "",
  ].join("\n"));
  return path;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-peer-health-"));
  await initPki(join(base, "pki"));
  await mkdir(join(base, "etc", "sites"), { recursive: true });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

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
