// What a newcomer meets when following the README by hand: the shipped configs started before
// `pki init`, a bare port where host:port belongs, a URL given to `check`, and the help examples.
// Each answer must say what to do, not only what is wrong.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runTlsbridge } from "./run-tlsbridge.ts";

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-cli-newcomer-"));
  await cp(join(REPO_ROOT, "configs"), join(base, "configs"), { recursive: true });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("tlsbridge messages a newcomer meets", () => {
  it("the shipped configs without a PKI: the CA line says which `pki init` makes one (once, not per file)", async () => {
    for (const node of ["ingress", "peer"]) {
      const r = await runTlsbridge(["check", "--config", `configs/${node}.yaml`], { cwd: base });
      expect(r.code, node).toBe(2);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines[0], node).toMatch(/^configs\/\w+\.yaml:\d+:\d+: cannot read pki\/ca\.pem: no such file; no PKI yet\? `tlsbridge pki init pki` makes/);
      expect(lines.filter((l) => l.includes("pki init")), node).toHaveLength(1);
    }
  });

  it("a bare port where host:port belongs names the missing host", async () => {
    const peer = (await readFile(join(base, "configs", "peer.yaml"), "utf8")).replace("listen: 127.0.0.1:4443", "listen: 4443");
    await writeFile(join(base, "configs", "bare-port-peer.yaml"), peer);
    const r = await runTlsbridge(["check", "--config", "configs/bare-port-peer.yaml"], { cwd: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("configs/bare-port-peer.yaml:9:9: expected host:port or [ipv6]:port, got the number 4443: add the host (0.0.0.0:4443");
  });

  it("check with a URL instead of host:port says so, and names the target once", async () => {
    const r = await runTlsbridge(["check", "--config", "configs/ingress.yaml", "http://localhost:9080/hello"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      "tlsbridge: bad target 'http://localhost:9080/hello': a URL, not a CONNECT target (expected host:port or [ipv6]:port, e.g. localhost:9080)",
    );
  });

  it("auth --help shows its example as typed (printf '%s\\n'), not with a line break in it", async () => {
    const r = await runTlsbridge(["auth", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Example: printf '%s\\n' "$PASSWORD" | tlsbridge auth add`);
  });

  it("ingress --help lists the peer keys the loader accepts (mode, pool, peerGroups)", async () => {
    const r = await runTlsbridge(["ingress", "--help"]);
    for (const key of ["mode?=auto|h1|h2", "pool?{size=4, maxIdleMs=4000}", "peerGroups?{NAME: [PEER, ...]}"]) expect(r.stdout).toContain(key);
  });
});
