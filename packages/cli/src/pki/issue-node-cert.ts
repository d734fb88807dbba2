// `tlsbridge pki issue DIR`: one more node certificate from the CA that `pki init DIR` made (a
// second ingress, a renewed peer), written as two new files beside the others, which stay untouched.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DEFAULT_PEER_NAMES, PKI_FILE_NAMES } from "./init-pki.ts";
import { issueIngressCert, issuePeerCert } from "./issue-leaf.ts";
import type { IssuedCertificate } from "./issued-certificate.ts";
import { importSigningKey } from "./key-pair.ts";
import { refuseExisting, writePemFiles } from "./pem-files.ts";
import { PKI_ERROR_CODES, PkiError } from "./pki-error.ts";
import { x509 } from "./x509.ts";

/** Options for {@link issueNodeCert}. */
export interface IssueNodeOptions {
  /** `ingress`: a client certificate (EKU clientAuth); `peer`: a server certificate that also names localhost etc. like `pki init`'s. */
  readonly role: "ingress" | "peer";
  /** DNS names or IP addresses (at least one); the first is the CN. */
  readonly names: readonly string[];
  /** A SPIFFE ID added as a URI SAN (what a peer's `ingresses:` patterns can match). */
  readonly spiffeId?: string;
  /** File stem: writes STEM.pem and STEM-key.pem. Default: the first name. */
  readonly out?: string;
  /** Replace STEM.pem and STEM-key.pem when they exist (renewal). */
  readonly force?: boolean;
}

/** Absolute paths of the two files written. */
export interface NodeCertFiles {
  readonly cert: string;
  readonly key: string;
}

const CA_STEMS: ReadonlySet<string> = new Set(Object.values(PKI_FILE_NAMES).filter((f) => f.startsWith("ca")).map((f) => f.replace(/\.pem$/, "")));

/**
 * Signs a new node certificate with DIR's ca.pem / ca-key.pem and writes it. Throws PkiError:
 * TLSB_ERR_PKI_NO_CA (no usable CA), TLSB_ERR_PKI_EXISTS (a file exists, without `force`),
 * TLSB_ERR_PKI_BAD_NAME, TLSB_ERR_PKI_BAD_FILE_NAME. Nothing is written when it throws before the write.
 */
export async function issueNodeCert(dir: string, options: IssueNodeOptions): Promise<NodeCertFiles> {
  const root = resolve(dir);
  const first = options.names[0];
  if (first === undefined) throw new PkiError(PKI_ERROR_CODES.badName, "give at least one --name (a DNS name or IP address; the first is the CN)");
  const stem = options.out ?? first;
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(stem) || CA_STEMS.has(stem)) {
    throw new PkiError(PKI_ERROR_CODES.badFileName,
      `not a file stem for a node certificate: ${JSON.stringify(stem)} (letters, digits, '.', '-', '_'; not the CA's own files)`);
  }
  const files: NodeCertFiles = { cert: join(root, `${stem}.pem`), key: join(root, `${stem}-key.pem`) };
  const force = options.force ?? false;
  if (!force) await refuseExisting([files.cert, files.key]);

  const ca = await readCa(root);
  const spiffeIds = options.spiffeId === undefined ? [] : [options.spiffeId];
  const issued = options.role === "peer"
    ? await issuePeerCert(ca, { names: [...DEFAULT_PEER_NAMES, ...options.names], commonName: first, spiffeIds })
    : await issueIngressCert(ca, { names: options.names, commonName: first, spiffeIds });
  // A key that does not belong to ca.pem signs a certificate no node would accept: say so now.
  const caCert = new x509.X509Certificate(ca.cert);
  if (!(await new x509.X509Certificate(issued.cert).verify({ publicKey: caCert.publicKey, signatureOnly: true }))) {
    throw new PkiError(PKI_ERROR_CODES.noCa, `${join(root, PKI_FILE_NAMES.caKey)} is not the key of ${join(root, PKI_FILE_NAMES.ca)}`);
  }
  await writePemFiles([
    { path: files.key, text: issued.key, kind: "key" },
    { path: files.cert, text: issued.cert, kind: "cert" },
  ], force, "pki issue");
  return files;
}

/** DIR's CA certificate and key, or PkiError TLSB_ERR_PKI_NO_CA saying what is missing or wrong. */
async function readCa(root: string): Promise<IssuedCertificate> {
  const certPath = join(root, PKI_FILE_NAMES.ca);
  const keyPath = join(root, PKI_FILE_NAMES.caKey);
  let cert: string;
  let key: string;
  try {
    // One after the other: when both are missing, the message names ca.pem every time.
    cert = await readFile(certPath, "utf8");
    key = await readFile(keyPath, "utf8");
  } catch (cause) {
    const path = (cause as NodeJS.ErrnoException).path ?? root;
    throw new PkiError(PKI_ERROR_CODES.noCa,
      `cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? "error"}): pki issue signs with the CA that \`tlsbridge pki init ${root}\` made`, { cause });
  }
  try {
    new x509.X509Certificate(cert);
  } catch (cause) {
    throw new PkiError(PKI_ERROR_CODES.noCa, `${certPath} is not a PEM certificate`, { cause });
  }
  try {
    await importSigningKey(key);
  } catch (cause) {
    throw new PkiError(PKI_ERROR_CODES.noCa, `${keyPath} is not a PKCS#8 P-256 private key`, { cause });
  }
  return { cert, key };
}
