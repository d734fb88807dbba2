// Checks the certificates themselves with Node's own X.509 parser (OpenSSL), independent of the
// library that made them: chain, basic constraints, key usages, names and validity windows.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { checkServerIdentity } from "node:tls";
import { describe, expect, it } from "vitest";
import { issueCa, issueIngressCert, issueLeafCert, issuePeerCert, PKI_ERROR_CODES } from "./index.ts";
import { x509 } from "./x509.ts";

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

function keyUsageOf(pem: string): { usages: number; critical: boolean } {
  const ext = new x509.X509Certificate(pem).getExtension(x509.KeyUsagesExtension);
  if (!ext) throw new Error("no keyUsage extension");
  return { usages: ext.usages, critical: ext.critical };
}

describe("issueCa", () => {
  it("makes a self-signed P-256 CA with critical CA:true and keyCertSign + cRLSign", async () => {
    const ca = await issueCa({ commonName: "unit CA" });
    const cert = new X509Certificate(ca.cert);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe("CN=unit CA");
    expect(cert.issuer).toBe("CN=unit CA");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");

    const parsed = new x509.X509Certificate(ca.cert);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: "ECDSA", hash: { name: "SHA-256" } });
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    expect(basic).toMatchObject({ ca: true, critical: true });
    expect(keyUsageOf(ca.cert)).toEqual({
      usages: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
      critical: true,
    });
    expect(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it("writes the key as PKCS#8 PEM that matches the certificate", async () => {
    const ca = await issueCa();
    expect(ca.key).toMatch(/^-----BEGIN PRIVATE KEY-----\r?\n/);
    const cert = new X509Certificate(ca.cert);
    expect(cert.checkPrivateKey(createPrivateKey(ca.key))).toBe(true);
  });
});

describe("leaf certificates", () => {
  it("peer cert: signed by the CA, serverAuth, digitalSignature, DNS and IP SANs", async () => {
    const ca = await issueCa();
    const peer = await issuePeerCert(ca, { names: ["localhost", "127.0.0.1", "::1", "peer"] });
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(peer.cert);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([SERVER_AUTH]); // Node calls the EKU list keyUsage
    expect(keyUsageOf(peer.cert)).toEqual({ usages: x509.KeyUsageFlags.digitalSignature, critical: true });
    expect(cert.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:peer");
    expect(cert.subject).toBe("CN=localhost");
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkIP("::1")).toBe("::1");
    expect(checkServerIdentity("peer", cert.toLegacyObject())).toBeUndefined();
    expect(cert.checkPrivateKey(createPrivateKey(peer.key))).toBe(true);

    const parsed = new x509.X509Certificate(peer.cert);
    const caSki = new x509.X509Certificate(ca.cert).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caSki);
    expect(parsed.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: false, critical: true });
  });

  it("ingress cert: clientAuth only", async () => {
    const ca = await issueCa();
    const ingress = await issueIngressCert(ca, { names: ["ingress.tlsbridge.test"], commonName: "edge-1" });
    const cert = new X509Certificate(ingress.cert);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.subject).toBe("CN=edge-1");
    expect(cert.checkIssued(new X509Certificate(ca.cert))).toBe(true);
  });

  it("generic leaf defaults to serverAuth and takes exact validity dates", async () => {
    const ca = await issueCa();
    const notBefore = new Date("2020-01-01T00:00:00Z");
    const notAfter = new Date("2020-01-02T00:00:00Z");
    const leaf = await issueLeafCert(ca, { names: ["svc.test"], notBefore, notAfter });
    const cert = new X509Certificate(leaf.cert);
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(cert.validFromDate.toISOString()).toBe(notBefore.toISOString());
    expect(cert.validToDate.toISOString()).toBe(notAfter.toISOString());
  });

  it("defaults: CA ten years, leaf one year, both starting a little in the past for clock skew", async () => {
    const before = Date.now();
    const ca = await issueCa();
    const leaf = await issueLeafCert(ca, { names: ["a.test"] });
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(leaf.cert);
    const day = 24 * 60 * 60 * 1000;
    expect(cert.validFromDate.getTime()).toBeLessThan(before);
    expect(cert.validFromDate.getTime()).toBeGreaterThan(before - 10 * 60 * 1000);
    expect(cert.validToDate.getTime() - cert.validFromDate.getTime()).toBe(365 * day);
    expect(caCert.validToDate.getTime() - caCert.validFromDate.getTime()).toBe(3650 * day);
  });

  it("a leaf from another CA does not verify against this CA", async () => {
    const [ca, other] = await Promise.all([issueCa(), issueCa({ commonName: "other" })]);
    const leaf = new X509Certificate((await issuePeerCert(other, { names: ["localhost"] })).cert);
    const caCert = new X509Certificate(ca.cert);
    expect(leaf.verify(caCert.publicKey)).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(false);
  });

  it("rejects names that are neither DNS names nor IPs, and empty validity windows", async () => {
    const ca = await issueCa();
    for (const bad of ["", "has space", "http://x", "host:443", "::ffff:1.2.3.4"]) {
      await expect(issueLeafCert(ca, { names: [bad] }), bad).rejects.toMatchObject({ code: PKI_ERROR_CODES.badName });
    }
    const at = new Date("2030-01-01T00:00:00Z");
    await expect(issueLeafCert(ca, { notBefore: at, notAfter: at })).rejects.toMatchObject({
      code: PKI_ERROR_CODES.badValidity,
    });
    await expect(issueCa({ validityDays: 0 })).rejects.toMatchObject({ code: PKI_ERROR_CODES.badValidity });
  });

  it("accepts bracketed IPv6, wildcard and underscore names, and drops duplicates", async () => {
    const ca = await issueCa();
    const leaf = await issueLeafCert(ca, { names: ["[::1]", "*.svc.test", "my_peer", "LOCALHOST", "localhost."] });
    expect(new X509Certificate(leaf.cert).subjectAltName).toBe(
      "IP Address:0:0:0:0:0:0:0:1, DNS:*.svc.test, DNS:my_peer, DNS:localhost",
    );
  });
});
