// `pki init` output is what operators deploy: the right six files, keys private, a chain that
// verifies, the peer reachable by its default and extra names, and no silent overwrite.
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_PEER_NAMES, initPki, PKI_ERROR_CODES } from "./index.ts";
import type { PkiError } from "./index.ts";

describe("initPki", () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), "tlsbridge-init-pki-"));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("writes CA, peer and ingress files; keys 0600, new directory 0700", async () => {
    const dir = join(base, "pki");
    const files = await initPki(dir);
    expect(files).toEqual({
      dir,
      ca: join(dir, "ca.pem"),
      caKey: join(dir, "ca-key.pem"),
      peer: join(dir, "peer.pem"),
      peerKey: join(dir, "peer-key.pem"),
      ingress: join(dir, "ingress.pem"),
      ingressKey: join(dir, "ingress-key.pem"),
    });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const key of [files.caKey, files.peerKey, files.ingressKey]) {
      expect((await stat(key)).mode & 0o777, key).toBe(0o600);
      expect(await readFile(key, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    }
    for (const cert of [files.ca, files.peer, files.ingress]) {
      expect((await stat(cert)).mode & 0o777 & ~0o644, cert).toBe(0); // 0644 or stricter under the umask
    }

    const ca = new X509Certificate(await readFile(files.ca));
    const peer = new X509Certificate(await readFile(files.peer));
    const ingress = new X509Certificate(await readFile(files.ingress));
    expect(ca.ca).toBe(true);
    for (const leaf of [peer, ingress]) {
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.checkIssued(ca)).toBe(true);
    }
    expect(peer.subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:peer.tlsbridge.test",
    );
    expect(peer.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(ingress.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(ingress.subject).toBe("CN=ingress.tlsbridge.test");
  });

  it("adds the caller's peer names after the defaults and names the ingress as asked", async () => {
    const files = await initPki(base, { peerNames: ["peer", "peer.cloud.example", "10.0.0.7"], ingressName: "hq-ingress" });
    const peer = new X509Certificate(await readFile(files.peer));
    expect(peer.subject).toBe("CN=peer");
    for (const name of ["localhost", "peer.tlsbridge.test", "peer", "peer.cloud.example"]) {
      expect(peer.checkHost(name), name).toBe(name);
    }
    expect(peer.checkIP("10.0.0.7")).toBe("10.0.0.7");
    expect(DEFAULT_PEER_NAMES).toContain("::1");
    const ingress = new X509Certificate(await readFile(files.ingress));
    expect(ingress.subject).toBe("CN=hq-ingress");
    expect(ingress.subjectAltName).toBe("DNS:hq-ingress");
  });

  it("refuses to overwrite any existing file and writes nothing; force replaces all", async () => {
    await writeFile(join(base, "peer.pem"), "operator's own file\n", { mode: 0o644 });
    const err = (await initPki(base).catch((e: unknown) => e)) as PkiError;
    expect(err.code).toBe(PKI_ERROR_CODES.exists);
    expect(err.paths).toEqual([join(base, "peer.pem")]);
    expect(err.message).toContain("--force");
    await expect(stat(join(base, "ca.pem"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readFile(join(base, "peer.pem"), "utf8")).toBe("operator's own file\n");

    const first = await initPki(base, { force: true });
    const firstCa = await readFile(first.ca, "utf8");
    await expect(initPki(base)).rejects.toMatchObject({ code: PKI_ERROR_CODES.exists });

    // A key file that had lax permissions comes back 0600 after a forced re-init.
    await rm(first.peerKey);
    await writeFile(first.peerKey, "old", { mode: 0o644 });
    const second = await initPki(base, { force: true });
    expect(await readFile(second.ca, "utf8")).not.toBe(firstCa);
    expect((await stat(second.peerKey)).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(await readFile(second.peer)).verify(new X509Certificate(await readFile(second.ca)).publicKey)).toBe(true);
  });

  it("rejects a bad peer name before writing anything", async () => {
    const dir = join(base, "never");
    await expect(initPki(dir, { peerNames: ["not a name"] })).rejects.toMatchObject({ code: PKI_ERROR_CODES.badName });
    await expect(stat(dir)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
