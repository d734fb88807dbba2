// `tlsbridge pki init DIR` as an operator runs it: six files written and listed, keys private,
// the certificates usable by `check`, and an existing PKI never overwritten without --force.
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runTlsbridge } from "./run-tlsbridge.ts";

const FILES = ["ca.pem", "ca-key.pem", "peer.pem", "peer-key.pem", "ingress.pem", "ingress-key.pem"];

describe("tlsbridge pki init", () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), "tlsbridge-cli-pki-"));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("writes and lists the CA, peer and ingress files; keys are 0600", async () => {
    const r = await runTlsbridge(["pki", "init", "pki", "--peer-name", "peer.cloud.example"], { cwd: base });
    expect(r.code).toBe(0);
    for (const f of FILES) {
      expect(r.stdout).toContain(`pki/${f}`);
      const mode = (await stat(join(base, "pki", f))).mode & 0o777;
      expect(mode).toBe(f.endsWith("-key.pem") ? 0o600 : 0o644);
    }
    const peer = new X509Certificate(await readFile(join(base, "pki", "peer.pem")));
    expect(peer.subjectAltName).toContain("DNS:peer.cloud.example");
    expect(peer.checkIssued(new X509Certificate(await readFile(join(base, "pki", "ca.pem"))))).toBe(true);
  });

  it("refuses to overwrite an existing PKI (exit 2 like every refusal, files unchanged), and replaces it with --force", async () => {
    expect((await runTlsbridge(["pki", "init", "pki"], { cwd: base })).code).toBe(0);
    const before = await readFile(join(base, "pki", "ca.pem"), "utf8");
    const again = await runTlsbridge(["pki", "init", "pki"], { cwd: base });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("refusing to overwrite");
    expect(again.stderr).toContain("--force");
    expect(await readFile(join(base, "pki", "ca.pem"), "utf8")).toBe(before);
    const forced = await runTlsbridge(["pki", "init", "pki", "--force"], { cwd: base });
    expect(forced.code).toBe(0);
    expect(await readFile(join(base, "pki", "ca.pem"), "utf8")).not.toBe(before);
  });

  it("rejects a peer name that is neither a DNS name nor an IP address (exit 2)", async () => {
    const r = await runTlsbridge(["pki", "init", "pki", "--peer-name", "not a name!"], { cwd: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tlsbridge pki: /);
  });
});
