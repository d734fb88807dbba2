// One peer, two ingresses with different rights (issue 14), all real `tlsbridge` processes with
// certificates from `tlsbridge pki`: `pki init --spiffe-id` gives the first ingress a SPIFFE ID,
// `pki issue` a second ingress another one without touching the first PKI's files. An allow entry
// with `ingresses:` serves only the identity it names; an entry without the key serves both; and
// `tlsbridge check --as` explains each decision.
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlsbridge } from "../cli/run-tlsbridge.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { portOf, startNode } from "../helpers/ops-nodes.ts";
import type { OpsNode } from "../helpers/ops-nodes.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { proxyStatusOf } from "../helpers/tunnel-probe.ts";

const run = promisify(execFile);
const HQ = "spiffe://tlsbridge.test/ingress/hq";
const BRANCH = "spiffe://tlsbridge.test/ingress/branch";
const INIT_FILES = ["ca.pem", "ca-key.pem", "peer.pem", "peer-key.pem", "ingress.pem", "ingress-key.pem"];

describe("rights per ingress identity at the peer, with SPIFFE IDs from tlsbridge pki", () => {
  let base: string;
  let service: TestService;
  const nodes: OpsNode[] = [];
  let hqPort: number;
  let branchPort: number;
  let issueOutput: string;
  let untouched: boolean;

  const ingressConfig = (name: string, cert: string, peerPort: number): Promise<void> => writeFile(join(base, name), [
    "listeners:",
    "  - listen: 127.0.0.1:0",
    "    rules: sites/all.yaml",
    "peers:",
    `  cloud: { address: '127.0.0.1:${peerPort}', servername: localhost }`,
    `tls: { ca: pki/ca.pem, cert: pki/${cert}.pem, key: pki/${cert}-key.pem }`,
    "",
  ].join("\n"));

  const start = async (role: "ingress" | "peer", config: string): Promise<number> => {
    const node = startNode(role, config, base);
    nodes.push(node);
    // Generous: three node processes start at once, on a loaded 2-core machine.
    return portOf(await node.waitFor("listening", undefined, 60_000));
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "tlsbridge-identity-"));
    service = await startHttpService();
    const init = await runTlsbridge(["pki", "init", "pki", "--spiffe-id", HQ], { cwd: base });
    expect(init.code, init.stderr).toBe(0);
    const before = await Promise.all(INIT_FILES.map((f) => readFile(join(base, "pki", f), "utf8")));
    const issue = await runTlsbridge(
      ["pki", "issue", "pki", "--role", "ingress", "--name", "branch.tlsbridge.test", "--spiffe-id", BRANCH, "--out", "branch"],
      { cwd: base },
    );
    expect(issue.code, issue.stderr).toBe(0);
    issueOutput = issue.stdout;
    const after = await Promise.all(INIT_FILES.map((f) => readFile(join(base, "pki", f), "utf8")));
    untouched = after.every((text, i) => text === before[i]);

    await mkdir(join(base, "sites"));
    await writeFile(join(base, "sites", "all.yaml"), "rules:\n  - match: '.*'\n    peer: cloud\n");
    await writeFile(join(base, "peer.yaml"), [
      "listen: 127.0.0.1:0",
      "tls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }",
      "allow:",
      "  - match: localhost", // every ingress
      `    ports: [${service.port}]`,
      "    addresses: [127.0.0.0/8, '::1']",
      "  - match: '127[.]0[.]0[.]1'", // only hq
      `    ports: [${service.port}]`,
      "    ingresses: ['spiffe://tlsbridge[.]test/ingress/hq']",
      "    addresses: [127.0.0.0/8]",
      "",
    ].join("\n"));
    const peerPort = await start("peer", "peer.yaml");
    await ingressConfig("hq.yaml", "ingress", peerPort);
    await ingressConfig("branch.yaml", "branch", peerPort);
    [hqPort, branchPort] = await Promise.all([start("ingress", "hq.yaml"), start("ingress", "branch.yaml")]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await service?.close();
    await rm(base, { recursive: true, force: true });
  });

  it("pki issue writes only the new certificate and key, signed by the existing CA, with the SPIFFE ID", async () => {
    expect(untouched).toBe(true);
    expect(issueOutput).toContain("pki/branch.pem");
    expect(issueOutput).toContain("pki/branch-key.pem");
    const { stdout } = await run("openssl", ["verify", "-CAfile", join(base, "pki", "ca.pem"), join(base, "pki", "branch.pem")]);
    expect(stdout).toContain("branch.pem: OK");
    const text = (await run("openssl", ["x509", "-in", join(base, "pki", "branch.pem"), "-noout", "-ext", "subjectAltName"])).stdout;
    expect(text).toContain(`URI:${BRANCH}`);
    expect(text).toContain("DNS:branch.tlsbridge.test");
  });

  it("an entry with ingresses: serves the identity it names (curl through hq)", async () => {
    const { stdout } = await run("curl", ["-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${hqPort}`, `http://127.0.0.1:${service.port}/hq`]);
    expect(stdout).toBe("hello from /hq");
  });

  it("and refuses another identity with 403 from the peer", async () => {
    const reply = await connectThrough(branchPort, `127.0.0.1:${service.port}`);
    expect(reply.status).toBe(403);
    expect(proxyStatusOf(reply.headers)).toMatch(/^tlsbridge-peer; error=destination_ip_prohibited; details="destination not allowed by the peer", [^;]+; received-status=403$/);
    reply.socket.destroy();
    const peer = nodes[0] as OpsNode;
    await peer.waitFor("destination.denied", (l) => l.target === `127.0.0.1:${service.port}` && l.code === "TLSB_ERR_DESTINATION_DENIED", 30_000);
  });

  it("an entry without ingresses: serves both", async () => {
    for (const port of [hqPort, branchPort]) {
      const { stdout } = await run("curl", ["-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${port}`, `http://localhost:${service.port}/both`]);
      expect(stdout).toBe("hello from /both");
    }
  });

  it("tlsbridge check --as explains which entry admits or refuses each identity", async () => {
    const target = `127.0.0.1:${service.port}`;
    const branch = await runTlsbridge(["check", "--config", "peer.yaml", "--as", BRANCH, target], { cwd: base });
    expect(branch.code).toBe(0);
    expect(branch.stdout).toContain(
      `${target} as ${BRANCH}: not allowed (403): allow[1] (peer.yaml:7:5) matches but is only for ingresses 'spiffe://tlsbridge[.]test/ingress/hq'`,
    );
    const hq = await runTlsbridge(["check", "--config", "peer.yaml", "--as", HQ, target], { cwd: base });
    expect(hq.stdout).toContain(
      `${target} as ${HQ}: allowed by allow[1] (peer.yaml:7:5) '127[.]0[.]0[.]1' ports ${service.port}, for ingresses 'spiffe://tlsbridge[.]test/ingress/hq'; names may resolve only to 127.0.0.0/8`,
    );
    expect(hq.stdout).toContain("  address 127.0.0.1: admitted");
    const both = await runTlsbridge(["check", "--config", "peer.yaml", "--as", BRANCH, `localhost:${service.port}`], { cwd: base });
    expect(both.stdout).toContain(`localhost:${service.port} as ${BRANCH}: allowed by allow[0] (peer.yaml:4:5)`);
  });
});
