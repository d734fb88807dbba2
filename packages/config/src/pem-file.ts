// Reads a PEM file named in a config and proves it is usable before any socket opens: certificates
// parse as X.509, keys parse as unencrypted private keys. Problems point at the config line.
import { X509Certificate, createPrivateKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { addProblem } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import { readNamedFile } from "./named-file.ts";

/** A PEM file of certificates (one or more, in order). */
export type CertificateFile = {
  readonly path: string;
  readonly file: string;
  readonly pem: Buffer;
  readonly certificates: readonly X509Certificate[];
};

/** A PEM file holding one private key. */
export type KeyFile = { readonly path: string; readonly file: string; readonly pem: Buffer; readonly key: KeyObject };

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Reads and parses a certificate (or CA bundle) PEM file; `missingHint` as for readNamedFile. */
export async function readCertificateFile(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
  missingHint?: (path: string) => string | undefined,
): Promise<CertificateFile | undefined> {
  const read = await readNamedFile(node, baseDir, source, problems, undefined, missingHint);
  if (read === undefined) return undefined;
  const blocks = read.bytes.toString("latin1").match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    addProblem(read.at, source, problems, `${read.file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, read.path);
    return undefined;
  }
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch (err) {
      addProblem(read.at, source, problems, `${read.file}: certificate ${i + 1} does not parse: ${(err as Error).message}`, read.path);
      return undefined;
    }
  }
  return { path: read.path, file: read.file, pem: read.bytes, certificates };
}

/** Reads and parses an unencrypted private key PEM file. */
export async function readKeyFile(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<KeyFile | undefined> {
  const read = await readNamedFile(node, baseDir, source, problems);
  if (read === undefined) return undefined;
  try {
    return { path: read.path, file: read.file, pem: read.bytes, key: createPrivateKey({ key: read.bytes, format: "pem" }) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Never echo the file's content: it is, or should have been, a secret.
    const reason =
      code === "ERR_MISSING_PASSPHRASE" ? "encrypted keys are not supported" : "not a PEM private key";
    addProblem(read.at, source, problems, `${read.file}: ${reason}`, read.path);
    return undefined;
  }
}
