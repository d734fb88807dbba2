// `tlsbridge pki issue DIR` as an operator runs it after `pki init DIR`: a renewed peer certificate
// replaces peer.pem only with --force and still chains to the CA; every wrong input (no CA, a CA key
// that is not the CA's, a bad SPIFFE ID, an output name that would hit the CA, a missing --role)
// is a one-line answer with exit code 2 or 1, and nothing is written.
import { X509Certificate } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlsbridge } from "./run-tlsbridge.ts";

describe("tlsbridge pki issue", () => {
  let base: string;
  // One `pki init` for the file: each test checks what it changes (and that refusals change nothing).
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "tlsbridge-cli-pki-issue-"));
    expect((await runTlsbridge(["pki", "init", "pki"], { cwd: base })).code).toBe(0);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });
  const issue = (...args: string[]) => runTlsbridge(["pki", "issue", "pki", ...args], { cwd: base });
  const files = async (): Promise<string[]> => (await readdir(join(base, "pki"))).sort();

  it("renews the peer certificate only with --force; the new one chains to the same CA and keeps the local names", async () => {
    const before = await readFile(join(base, "pki", "peer.pem"), "utf8");
    const refused = await issue("--role", "peer", "--name", "peer.cloud.example", "--out", "peer");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("refusing to overwrite existing PKI files (use --force to replace them)");
    expect(await readFile(join(base, "pki", "peer.pem"), "utf8")).toBe(before);

    const renewed = await issue("--role", "peer", "--name", "peer.cloud.example", "--out", "peer", "--force");
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.stdout).toContain("pki/peer.pem  peer server certificate (peer.yaml tls.cert)");
    const cert = new X509Certificate(await readFile(join(base, "pki", "peer.pem")));
    expect(cert.checkIssued(new X509Certificate(await readFile(join(base, "pki", "ca.pem"))))).toBe(true);
    expect(cert.subject).toBe("CN=peer.cloud.example");
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(cert.subjectAltName).toContain("DNS:peer.cloud.example");
    expect(cert.toString()).not.toBe(new X509Certificate(before).toString());
    expect((await stat(join(base, "pki", "peer-key.pem"))).mode & 0o777).toBe(0o600);
  });

  it("names the files after the first --name by default", async () => {
    const r = await issue("--role", "ingress", "--name", "branch.corp.example");
    expect(r.code, r.stderr).toBe(0);
    expect(await files()).toContain("branch.corp.example.pem");
    expect(await files()).toContain("branch.corp.example-key.pem");
  });

  it.each([
    [["--role", "ingress", "--name", "b", "--spiffe-id", "spiffe://Corp.Example/x"], 2, "not a SPIFFE ID: \"spiffe://Corp.Example/x\""],
    [["--role", "ingress", "--name", "b", "--spiffe-id", "spiffe://corp.example/a/../b"], 2, "not a SPIFFE ID"],
    [["--role", "ingress", "--name", "b", "--spiffe-id", "https://corp.example/x"], 2, "not a SPIFFE ID"],
    [["--role", "ingress", "--name", "b", "--out", "ca", "--force"], 2, "not a file stem for a node certificate: \"ca\""],
    [["--role", "ingress", "--name", "b", "--out", "../elsewhere"], 2, "not a file stem"],
    [["--role", "ingress"], 2, "missing --name NAME"],
    [["--name", "b"], 2, "missing --role ingress|peer"],
    [["--role", "admin", "--name", "b"], 2, "--role must be ingress or peer, got 'admin'"],
    [["--role", "ingress", "--name", "b", "--ingress-name", "x"], 2, "--ingress-name belongs to pki init"],
  ])("refuses %j (exit %i) and writes nothing", async (args, code, message) => {
    const before = await files();
    const r = await issue(...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr.split("\n").filter((l) => l !== "").length).toBeLessThanOrEqual(2);
    expect(await files()).toEqual(before);
  });

  it("says where the CA should be when the directory has none", async () => {
    const r = await runTlsbridge(["pki", "issue", "elsewhere", "--role", "ingress", "--name", "b"], { cwd: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tlsbridge pki: cannot read .*elsewhere\/ca\.pem \(ENOENT\): pki issue signs with the CA that `tlsbridge pki init .*elsewhere` made\n$/);
  });

  it("refuses a CA key that is not the CA's (from another pki init)", async () => {
    expect((await runTlsbridge(["pki", "init", "other"], { cwd: base })).code).toBe(0);
    await mkdir(join(base, "mixed"));
    await copyFile(join(base, "pki", "ca.pem"), join(base, "mixed", "ca.pem"));
    await copyFile(join(base, "other", "ca-key.pem"), join(base, "mixed", "ca-key.pem"));
    const r = await runTlsbridge(["pki", "issue", "mixed", "--role", "ingress", "--name", "b"], { cwd: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mixed\/ca-key\.pem is not the key of .*mixed\/ca\.pem/);
    expect((await readdir(join(base, "mixed"))).sort()).toEqual(["ca-key.pem", "ca.pem"]);
  });
});
