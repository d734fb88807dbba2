// The loaders produce exactly the options the roles start with: defaults applied, paths resolved
// against the file that names them, rule files loaded per site, everything frozen.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, loadIngressConfig, detectConfigKind, loadAnyConfig, loadPeerConfig } from "@tlsbridge/config";
import { initPki } from "../../packages/cli/src/pki/index.ts";

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-node-config-"));
  await initPki(join(base, "pki"));
  await mkdir(join(base, "etc", "sites"), { recursive: true });
  await writeFile(join(base, "etc", "sites", "edge.yaml"), "rules:\n  - match: '.*[.]svc[.]example'\n    ports: [443]\n    peer: east\n");
  await writeFile(
    join(base, "etc", "ingress.yaml"),
    "listeners:\n  - listen: '[::1]:0'\n    rules: sites/edge.yaml\npeers:\n  east: { address: 'peer.example:4443' }\n" +
      "tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }\nlimits: { idleTimeoutMs: 5000 }\n",
  );
  await writeFile(
    join(base, "etc", "peer.yaml"),
    "node: edge-1\nlisten: 0.0.0.0:4443\ntls: { ca: ../pki/ca.pem, cert: ../pki/peer.pem, key: ../pki/peer-key.pem }\nallow: []\n",
  );
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("node config loaders", () => {
  it("loads an ingress config into IngressOptions with defaults and resolved paths", async () => {
    const loaded = await loadIngressConfig(join(base, "etc", "ingress.yaml"));
    const o = loaded.options;
    expect(o.nodeName).toBe(CONFIG_DEFAULTS.ingress.node);
    expect(o.keyExchangeGroups).toBe("*X25519MLKEM768:*X25519");
    expect(o.limits).toEqual({ ...CONFIG_DEFAULTS.ingress.limits, idleTimeoutMs: 5000 });
    expect(o.listeners).toHaveLength(1);
    expect(o.listeners[0]).toMatchObject({ site: "edge", host: "::1", port: 0 });
    expect(o.listeners[0]?.rules.match("api.svc.example", 443)?.rule.peer).toBe("east");
    expect(o.peers.get("east")).toEqual({ name: "east", host: "peer.example", port: 4443, servername: "peer.example", mode: "auto" });
    expect(o.tls.cert.toString()).toContain("BEGIN CERTIFICATE");
    expect(loaded.shutdownGraceMs).toBe(CONFIG_DEFAULTS.shutdownGraceMs);
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(o.limits)).toBe(true);
    expect(Object.isFrozen(o.listeners)).toBe(true);
  });

  it("loads a peer config into PeerOptions; an empty allow list allows nothing", async () => {
    const loaded = await loadPeerConfig(join(base, "etc", "peer.yaml"));
    expect(loaded.options).toMatchObject({ nodeName: "edge-1", host: "0.0.0.0", port: 4443, limits: CONFIG_DEFAULTS.peer.limits });
    expect(loaded.options.allow.forTarget("localhost", 80)).toEqual([]);
    expect(loaded.certificates.map((c) => c.role)).toEqual(["ca", "cert"]);
  });

  it("tells the two kinds apart by their keys", async () => {
    expect(detectConfigKind(["listeners", "peers", "tls"])).toBe("ingress");
    expect(detectConfigKind(["listen", "allow", "tls"])).toBe("peer");
    expect(detectConfigKind(["listen", "listeners"])).toBeUndefined();
    expect(detectConfigKind(["tls"])).toBeUndefined();
    expect((await loadAnyConfig(join(base, "etc", "peer.yaml"))).kind).toBe("peer");
  });
});
