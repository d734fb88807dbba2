// The shared test certificates must be what their names promise, or every TLS test built on them
// proves nothing: good ones verify, the bad ones fail for exactly the advertised reason.
import { X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { checkServerIdentity } from "node:tls";
import { describe, expect, it } from "vitest";
import { issueTestCert, testPki, WRONG_NAME, writeTestPki } from "./pki.ts";

const parse = (pem: string) => new X509Certificate(pem);

describe("test PKI helper", () => {
  it("issues once per process", async () => {
    expect(await testPki()).toBe(await testPki());
    expect(await writeTestPki()).toBe(await writeTestPki());
  });

  it("good certificates chain to the CA and carry the loopback names", async () => {
    const pki = await testPki();
    const ca = parse(pki.ca.cert);
    for (const name of ["peer", "ingress", "service", "expiredPeer", "wrongNamePeer"] as const) {
      const cert = parse(pki[name].cert);
      expect(cert.verify(ca.publicKey), name).toBe(true);
      expect(cert.checkIssued(ca), name).toBe(true);
    }
    for (const name of ["peer", "service"] as const) {
      const legacy = parse(pki[name].cert).toLegacyObject();
      expect(checkServerIdentity("localhost", legacy), name).toBeUndefined();
      expect(checkServerIdentity("127.0.0.1", legacy), name).toBeUndefined();
    }
    expect(parse(pki.service.cert).checkHost("service.tlsbridge.test")).toBe("service.tlsbridge.test");
    expect(parse(pki.ingress.cert).keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });

  it("the bad certificates are bad for one reason each", async () => {
    const pki = await testPki();
    const ca = parse(pki.ca.cert);
    for (const name of ["otherCaIngress", "otherCaPeer"] as const) {
      const cert = parse(pki[name].cert);
      expect(cert.verify(ca.publicKey), name).toBe(false);
      expect(cert.verify(parse(pki.otherCa.cert).publicKey), name).toBe(true);
    }
    const expired = parse(pki.expiredPeer.cert);
    expect(expired.validToDate.getTime()).toBeLessThan(Date.now());
    expect(checkServerIdentity("localhost", expired.toLegacyObject())).toBeUndefined();

    const wrong = parse(pki.wrongNamePeer.cert);
    expect(checkServerIdentity("localhost", wrong.toLegacyObject())).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    expect(checkServerIdentity(WRONG_NAME, wrong.toLegacyObject())).toBeUndefined();
  });

  it("writes every certificate and key to files, keys 0600", async () => {
    const pki = await testPki();
    const files = await writeTestPki();
    expect(await readFile(files.peer.cert, "utf8")).toBe(pki.peer.cert);
    expect(await readFile(files.ingress.key, "utf8")).toBe(pki.ingress.key);
    expect((await stat(files.ca.key)).mode & 0o777).toBe(0o600);
    expect(files.wrongNamePeer.cert).toBe(`${files.dir}/wrongNamePeer.pem`);
  });

  it("issues extra certificates from the same CA", async () => {
    const pki = await testPki();
    const extra = parse((await issueTestCert({ names: ["extra.test"], usage: "client" })).cert);
    expect(extra.checkIssued(parse(pki.ca.cert))).toBe(true);
    expect(extra.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });
});
