// The `tls:` mapping of a node (`ca`, `cert`, `key`) or of an HTTPS-proxy listener (`cert`, `key`):
// every file read and parsed, the key checked against the certificate, certificates described.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { addProblem, expectMap, requireKey, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import { describeCertificate } from "./certificate-info.ts";
import type { CertificateInfo } from "./certificate-info.ts";
import { displayPath } from "./display-path.ts";
import { readCertificateFile, readKeyFile } from "./pem-file.ts";

/** A certificate chain and its key, as PEM bytes, plus what was found in them. */
export type CertAndKey = {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly certificates: readonly CertificateInfo[];
  /** Absolute paths of the files read, for the reload watcher. */
  readonly files: readonly string[];
};

/** A node's TLS material: trust anchors too. */
export type NodeTls = CertAndKey & { readonly ca: Buffer };

/**
 * A missing CA in a folder without `pki init`'s ca.pem usually means no PKI was made yet (a fresh
 * clone started by hand): say how. A wrong name next to an existing PKI gets no hint.
 */
function noPkiHint(caPath: string): string | undefined {
  const dir = dirname(caPath);
  if (existsSync(join(dir, "ca.pem"))) return undefined;
  return `no PKI yet? \`tlsbridge pki init ${displayPath(dir)}\` makes a private CA and both nodes' certificates there`;
}

/** Parses a node's `tls: { ca, cert, key }`; undefined (with problems) if anything is wrong. */
export async function parseNodeTls(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<NodeTls | undefined> {
  const fields = expectMap(node, source, problems, ["ca", "cert", "key"]);
  if (fields === undefined) return undefined;
  const caNode = requireKey(fields, "ca", source, problems);
  const [ca, pair] = await Promise.all([
    fields.values.has("ca") ? readCertificateFile(caNode, baseDir, source, problems, noPkiHint) : undefined,
    certAndKey(fields, baseDir, source, problems),
  ]);
  if (ca === undefined || pair === undefined) return undefined;
  const caInfo = ca.certificates.map((c) => describeCertificate(c, ca.file, "ca"));
  // The bundle OpenSSL gets is the certificates we parsed, one PEM block per line: files glued
  // together without a newline (`...END CERTIFICATE----------BEGIN...`) would otherwise lose every
  // CA after the first there, while the check above saw them all.
  const bundle = Buffer.from(ca.certificates.map((c) => c.toString()).join(""));
  return { ca: bundle, cert: pair.cert, key: pair.key, certificates: [...caInfo, ...pair.certificates], files: [ca.path, ...pair.files] };
}

/** Parses a listener's `tls: { cert, key }` (an HTTPS proxy). */
export async function parseListenerTls(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<CertAndKey | undefined> {
  const fields = expectMap(node, source, problems, ["cert", "key"]);
  if (fields === undefined) return undefined;
  return certAndKey(fields, baseDir, source, problems);
}

async function certAndKey(
  fields: NonNullable<ReturnType<typeof expectMap>>,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<CertAndKey | undefined> {
  const certNode = requireKey(fields, "cert", source, problems);
  const keyNode = requireKey(fields, "key", source, problems);
  const [cert, key] = await Promise.all([
    fields.values.has("cert") ? readCertificateFile(certNode, baseDir, source, problems) : undefined,
    fields.values.has("key") ? readKeyFile(keyNode, baseDir, source, problems) : undefined,
  ]);
  if (cert === undefined || key === undefined) return undefined;
  const leaf = cert.certificates[0];
  if (leaf === undefined) return undefined;
  if (!leaf.checkPrivateKey(key.key)) {
    addProblem(resolveNode(keyNode, source), source, problems, `${key.file} is not the private key of the certificate in ${cert.file}`);
    return undefined;
  }
  return {
    cert: cert.pem,
    key: key.pem,
    certificates: cert.certificates.map((c) => describeCertificate(c, cert.file, "cert")),
    files: [cert.path, key.path],
  };
}
