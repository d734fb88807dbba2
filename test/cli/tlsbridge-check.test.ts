// `tlsbridge check` on the shipped configs (copied next to a fresh `pki init`, exactly as the demo
// lays them out) and on broken configs, whose every problem must come back as file:line:col.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPasswordHash, hashPassword } from "@tlsbridge/ingress";
import { REPO_ROOT, runTlsbridge } from "./run-tlsbridge.ts";

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-cli-check-"));
  await cp(join(REPO_ROOT, "configs"), join(base, "configs"), { recursive: true });
  const pki = await runTlsbridge(["pki", "init", "pki"], { cwd: base });
  expect(pki.code).toBe(0);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const check = (...args: string[]) => runTlsbridge(["check", ...args], { cwd: base });

describe("tlsbridge check on the shipped configs", () => {
  it("passes for ingress.yaml, listing listeners, peers and certificates", async () => {
    const r = await check("--config", "configs/ingress.yaml");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("configs/ingress.yaml: ok (ingress config, node tlsbridge-ingress)");
    expect(r.stdout).toContain("listener 127.0.0.1:8080: site hq, configs/sites/hq.yaml (2 rules)");
    expect(r.stdout).toContain("peer cloud-east: 127.0.0.1:4443, servername localhost");
    expect(r.stdout).toMatch(/ca {3}pki\/ca\.pem: CN=tlsbridge private CA, expires \d{4}-/);
    expect(r.stdout).toMatch(/cert pki\/ingress\.pem: CN=ingress\.tlsbridge\.test, expires \d{4}-.* \(36[45] days\)/);
  });

  it("says which rule and peer localhost:9080 takes, and why example.org:443 goes nowhere", async () => {
    const r = await check("--config", "configs/ingress.yaml", "localhost:9080", "example.org:443");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "  site hq (127.0.0.1:8080): rules[0] (configs/sites/hq.yaml:7:5) 'localhost' ports 9080, 9443 -> peer cloud-east at 127.0.0.1:4443 (servername localhost)",
    );
    expect(r.stdout).toContain(
      "  site hq (127.0.0.1:8080): refused (403): no rule matches example.org:443: no rule's pattern matches the host",
    );
    expect(r.stdout).toContain("  listener 127.0.0.1:1080 (socks5): site hq, configs/sites/hq.yaml (2 rules)");
    expect(r.stdout).toContain("  listener 127.0.0.1:8443 (sni, to port 9443): site hq, configs/sites/hq.yaml (2 rules)");
  });

  it("explains a host that matches a rule but not its port", async () => {
    const r = await check("--config", "configs/ingress.yaml", "localhost:22");
    expect(r.stdout).toContain("refused (403): no rule matches localhost:22: rules[0] (configs/sites/hq.yaml:7:5) matches the host but not port 22");
  });

  it("passes for peer.yaml and says whether the allow list admits each target", async () => {
    const r = await check("--config", "configs/peer.yaml", "localhost:9080", "LOCALHOST.:9080", "localhost:80", "example.org:443");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("configs/peer.yaml: ok (peer config, node tlsbridge-peer)");
    expect(r.stdout).toMatch(/cert pki\/peer\.pem: CN=peer\.tlsbridge\.test/);
    expect(r.stdout).toContain("localhost:9080: allowed by allow[0] (configs/peer.yaml:17:5) 'localhost|127[.]0[.]0[.]1' ports 9080, 9443");
    expect(r.stdout).toContain("localhost:80: not allowed (403): allow[0] (configs/peer.yaml:17:5) matches the host but not port 80 (ports 9080, 9443)");
    expect(r.stdout).toContain("example.org:443: not allowed (403): no allow entry's pattern matches the host");
  });
});

describe("tlsbridge check on broken configs", () => {
  it("reports every problem of an ingress config at its file:line:column and exits 2", async () => {
    await writeFile(join(base, "configs", "broken-peer-site.yaml"), "rules:\n  - match: 'x[.]example'\n    peer: cloud-west\n");
    await writeFile(
      join(base, "configs", "broken-ingress.yaml"),
      [
        "listeners:",
        "  - listen: 127.0.0.1:8080",
        "    rules: sites/hq.yaml",
        "  - listen: 127.0.0.1:8080",
        "    rules: broken-peer-site.yaml",
        "  - listen: 127.0.0.1:70000",
        "    rules: sites/missing.yaml",
        "peers:",
        "  cloud-east: { address: 127.0.0.1:4443, colour: blue }",
        "tls: { ca: ../pki/none.pem, cert: ../pki/ingress.pem, key: ../pki/peer-key.pem }",
        "limits: { idleTimeoutMs: -1 }",
        "",
      ].join("\n"),
    );
    const r = await check("--config", "configs/broken-ingress.yaml");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "configs/broken-ingress.yaml:4:13: duplicate listen address 127.0.0.1:8080 (already used at line 2)",
      "configs/broken-ingress.yaml:6:13: port 70000 is out of range (0-65535)",
      "configs/broken-ingress.yaml:7:12: cannot read rule file configs/sites/missing.yaml: no such file",
      "configs/broken-ingress.yaml:9:42: unknown key 'colour'; expected one of address, servername, mode, pool, via",
      "configs/broken-ingress.yaml:10:12: cannot read pki/none.pem: no such file",
      "configs/broken-ingress.yaml:10:60: pki/peer-key.pem is not the private key of the certificate in pki/ingress.pem",
      "configs/broken-ingress.yaml:11:26: expected an integer from 1 to 86400000, got number -1",
      "configs/broken-peer-site.yaml:3:11: unknown peer 'cloud-west'; expected one of cloud-east",
    ]);
  });

  it("reports a peer config's problems, including a bad allow pattern and an unknown key", async () => {
    await writeFile(
      join(base, "configs", "broken-peer.yaml"),
      ["listen: 127.0.0.1", "tls: { ca: ../pki/ca.pem, cert: ../pki/peer.pem, key: ../pki/peer-key.pem }", "allow:", "  - match: '(unclosed'", "colour: blue", ""].join("\n"),
    );
    const r = await check("--config", "configs/broken-peer.yaml");
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("configs/broken-peer.yaml:1:9: expected host:port or [ipv6]:port, got '127.0.0.1'");
    expect(lines[1]).toMatch(/^configs\/broken-peer\.yaml:4:12: invalid regular expression/);
    expect(lines[2]).toBe("configs/broken-peer.yaml:5:1: unknown key 'colour'; expected one of listen, allow, ingresses, dns, node, tls, limits, keyExchangeGroups, shutdownGraceMs, drainDelayMs, admin, workers, watchFiles, user, group");
    expect(lines).toHaveLength(3);
  });

  it("reports bad ingresses: and addresses: of an allow entry with their positions", async () => {
    await writeFile(
      join(base, "configs", "bad-entry-peer.yaml"),
      ["listen: 127.0.0.1:4443", "tls: { ca: ../pki/ca.pem, cert: ../pki/peer.pem, key: ../pki/peer-key.pem }", "allow:",
        "  - match: db", "    ingresses: []", "    addresses: [127.0.0.0/8, 'metadata']", ""].join("\n"),
    );
    const r = await check("--config", "configs/bad-entry-peer.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "configs/bad-entry-peer.yaml:5:16: an empty `ingresses` list would admit no ingress; leave the key out for every ingress the peer accepts",
      "configs/bad-entry-peer.yaml:6:30: expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got 'metadata'",
    ]);
  });

  it("--as and IP targets at a peer: the address check is answered without dialing", async () => {
    await writeFile(
      join(base, "configs", "metadata-peer.yaml"),
      ["listen: 127.0.0.1:4443", "tls: { ca: ../pki/ca.pem, cert: ../pki/peer.pem, key: ../pki/peer-key.pem }", "allow:",
        "  - match: '169[.]254[.]169[.]254|10[.]0[.]0[.]1'", "    ingresses: ['ops[.]corp[.]example']", ""].join("\n"),
    );
    const r = await check("--config", "configs/metadata-peer.yaml", "--as", "ops.corp.example", "169.254.169.254:80", "10.0.0.1:80");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "  address 169.254.169.254: refused (403 destination_ip_prohibited): 169.254.169.254 is a cloud metadata address, which only an allow entry's `addresses:` admits",
    );
    expect(r.stdout).toContain("  address 10.0.0.1: admitted");
    const other = await check("--config", "configs/metadata-peer.yaml", "--as", "hq.corp.example", "10.0.0.1:80");
    expect(other.stdout).toContain(
      "10.0.0.1:80 as hq.corp.example: not allowed (403): allow[0] (configs/metadata-peer.yaml:4:5) matches but is only for ingresses 'ops[.]corp[.]example'",
    );
  });

  it("--as at an ingress: decides for a proxy user, by the rules' users:", async () => {
    await writeFile(join(base, "configs", "sites", "ops.yaml"),
      "rules:\n  - match: localhost\n    ports: [9080]\n    peer: cloud\n    users: [alice, 'ops-.*']\n");
    await writeFile(join(base, "configs", "sites", "ops-users.htpasswd"),
      `alice:${formatPasswordHash(await hashPassword("a password", { ln: 14, r: 8, p: 1 }))}\n`);
    await writeFile(join(base, "configs", "users-ingress.yaml"), [
      "listeners:", "  - listen: 127.0.0.1:8090", "    rules: sites/ops.yaml", "    auth: { users: sites/ops-users.htpasswd }",
      "peers:", "  cloud: { address: '127.0.0.1:4443', servername: localhost }",
      "tls: { ca: ../pki/ca.pem, cert: ../pki/ingress.pem, key: ../pki/ingress-key.pem }", ""].join("\n"));
    const alice = await check("--config", "configs/users-ingress.yaml", "--as", "alice", "localhost:9080");
    expect(alice.code).toBe(0);
    expect(alice.stdout).toContain("localhost:9080 as user alice\n  site ops (127.0.0.1:8090): rules[0] (configs/sites/ops.yaml:2:5) 'localhost' ports 9080 for users alice, ops-.* -> peer cloud at 127.0.0.1:4443 (servername localhost)");
    const bob = await check("--config", "configs/users-ingress.yaml", "--as", "bob", "localhost:9080");
    expect(bob.stdout).toContain("  site ops (127.0.0.1:8090): no user bob in its users file");
    expect(bob.stdout).toMatch(/site ops \(127\.0\.0\.1:8090\): refused \(403\): .*is for users alice, ops-\.\*, not user bob/);
    const nobody = await check("--config", "configs/users-ingress.yaml", "localhost:9080");
    expect(nobody.stdout).toMatch(/refused \(403\): .*not an unauthenticated client/);
  });

  it("reports YAML syntax errors with their position", async () => {
    await writeFile(join(base, "configs", "syntax.yaml"), "listen: [127.0.0.1:4443\nallow: []\n");
    const r = await check("--config", "configs/syntax.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^configs\/syntax\.yaml:\d+:\d+: YAML: /);
  });

  // Issue 15: a rule file got "cannot tell whether this is an ingress config ... or a peer config".
  it("recognises a rule file and says how to check it", async () => {
    const r = await check("--config", "configs/sites/hq.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("configs/sites/hq.yaml:1:1: this is a site rule file (rules:), not a node config: check it through the ingress config "
      + "whose listener names it (tlsbridge check --config INGRESS.yaml checks every rule file it names)\n");
  });

  it("says when a file is neither an ingress nor a peer config", async () => {
    await writeFile(join(base, "configs", "neither.yaml"), "node: x\n");
    const r = await check("--config", "configs/neither.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("configs/neither.yaml:1:1: cannot tell whether this is an ingress config (listeners, peers) or a peer config (listen, allow)\n");
  });

  // Issue 15: `rules: []` was accepted without a word, and every CONNECT to that listener got 403.
  it("warns about a rule file without rules, naming the listener", async () => {
    await writeFile(join(base, "configs", "sites", "lab.yaml"), "rules: []\n");
    const r = await check("--config", "configs/ingress.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("warning: configs/sites/lab.yaml: no rules: listener lab (127.0.0.1:8081) refuses every CONNECT with 403");
  });
});
