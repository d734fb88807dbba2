// The config keys of issue 11's "who may use a listener, and who the client was": `clients:` on an
// ingress listener and `proxyProtocol:` on a peer allow entry, loaded into the options the roles
// start with, shown by `tlsbridge check`, and every mistake reported at its file:line:column.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTarget } from "@tlsbridge/wire";
import { loadIngressConfig, loadPeerConfig } from "@tlsbridge/config";
import { configReport } from "../../packages/cli/src/config-report.ts";
import { peerTargetReport } from "../../packages/cli/src/target-report.ts";
import { configProblems, configScratch } from "../helpers/config-problems.ts";

const scratch = configScratch("origin-keys");

/** An ingress.yaml whose one listener has the `clients` lines (none: no `clients:` key). */
function ingressYaml(name: string, clients: readonly string[]): Promise<string> {
  return scratch.ingressYaml(name, {
    rules: "rules:\n  - match: 'api[.]example'\n    peer: cloud\n",
    listener: clients,
    peers: ["cloud: { address: '10.0.0.1:4443', servername: peer.example }"],
  });
}

async function peerYaml(name: string, allow: string): Promise<string> {
  const path = join(scratch.etc(), `${name}.yaml`);
  await writeFile(path, `listen: 127.0.0.1:0\ntls: { ca: ../pki/ca.pem, cert: ../pki/peer.pem, key: ../pki/peer-key.pem }\n${allow}\n`);
  return path;
}

/** The problems, each after its file's name. */
const problemsOf = (load: Promise<unknown>): Promise<string[]> => configProblems(load, { file: "name" });

describe("clients: on an ingress listener", () => {
  it("loads the networks and check shows them", async () => {
    const loaded = await loadIngressConfig(await ingressYaml("good", ["clients: [10.0.0.0/8, '2001:db8::/32', 127.0.0.2]"]));
    const clients = loaded.options.listeners[0]?.clients;
    expect(clients?.admits("10.200.0.1")).toBe(true);
    expect(clients?.admits("::ffff:10.200.0.1")).toBe(true);
    expect(clients?.admits("192.0.2.1")).toBe(false);
    expect(configReport(loaded)[1]).toMatch(/, clients 10\.0\.0\.0\/8 2001:db8::\/32 127\.0\.0\.2\/32$/);
  });

  it("absent or empty: anyone", async () => {
    const empty = await loadIngressConfig(await ingressYaml("empty", ["clients: []"]));
    expect(empty.options.listeners[0]?.clients).toBeUndefined();
    const absent = await loadIngressConfig(await ingressYaml("absent", []));
    expect(absent.options.listeners[0]?.clients).toBeUndefined();
  });

  it("reports each bad block at its file:line:column", async () => {
    const path = await ingressYaml("bad", ["clients:", "  - 10.0.0.0/33", "  - corp.example/24", "  - 10.0.0.0/8"]);
    expect(await problemsOf(loadIngressConfig(path))).toEqual([
      "bad.yaml:5:9: '10.0.0.0/33' is not a CIDR block: the prefix length must be 0 to 32",
      "bad.yaml:6:9: 'corp.example/24' is not a CIDR block: 'corp.example' is not an IPv4 or IPv6 address (write e.g. 10.0.0.0/8 or fd00::/8)",
    ]);
  });
});

describe("proxyProtocol: on a peer allow entry", () => {
  it("loads v2 on the entry and check shows it", async () => {
    const loaded = await loadPeerConfig(await peerYaml("peer-good", "allow:\n  - match: 'db[.]internal'\n    proxyProtocol: v2\n  - match: 'web[.]internal'"));
    expect(loaded.options.allow.forTarget("db.internal", 5432)[0]?.proxyProtocol).toBe("v2");
    expect(loaded.options.allow.forTarget("web.internal", 80)[0]?.proxyProtocol).toBeUndefined();
    expect(configReport(loaded)).toContain("  allow 'db[.]internal' any port, PROXY protocol v2");
    expect(peerTargetReport(loaded, parseTarget("db.internal:5432"))[0]).toMatch(/allowed by allow\[0\] .*, the service gets a PROXY v2 header; /);
  });

  it("reports any other value at its file:line:column", async () => {
    const path = await peerYaml("peer-bad", "allow:\n  - match: 'db[.]internal'\n    proxyProtocol: v1");
    expect(await problemsOf(loadPeerConfig(path))).toEqual(["peer-bad.yaml:5:20: expected proxyProtocol v2, got string 'v1'"]);
  });
});
