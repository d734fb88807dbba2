// `tlsbridge pki init DIR`: one command that makes a private CA and the two certificates a
// deployment needs (the peer's server certificate, the ingress's client certificate) as files.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { issueCa } from "./issue-ca.ts";
import { issueIngressCert, issuePeerCert } from "./issue-leaf.ts";
import { refuseExisting, writePemFiles } from "./pem-files.ts";

/** Options for {@link initPki}. */
export interface InitPkiOptions {
  /**
   * Extra names (DNS or IP) for the peer certificate, added after {@link DEFAULT_PEER_NAMES}: the
   * name the ingress dials, e.g. `peer.cloud.example` or the docker service name `peer`. The first
   * extra name becomes the subject CN.
   */
  peerNames?: readonly string[];
  /** Name in the ingress's client certificate (CN and DNS SAN). Default "ingress.tlsbridge.test". */
  ingressName?: string;
  /**
   * A SPIFFE ID (`spiffe://trust-domain/path`) added to the ingress certificate as a URI SAN, which
   * the peer's `ingresses:` patterns (top-level or per allow entry) can match. Default: none.
   */
  ingressSpiffeId?: string;
  /** Replace existing files. Without it, any existing file stops the command before writing. */
  force?: boolean;
}

/** Absolute paths of the files {@link initPki} wrote. */
export interface PkiFiles {
  readonly dir: string;
  readonly ca: string;
  readonly caKey: string;
  readonly peer: string;
  readonly peerKey: string;
  readonly ingress: string;
  readonly ingressKey: string;
}

/** Names every peer certificate carries, so a local or docker-compose setup works as made. */
export const DEFAULT_PEER_NAMES: readonly string[] = ["localhost", "127.0.0.1", "::1", "peer.tlsbridge.test"];

/** Default CN and SAN of the ingress's client certificate. */
export const DEFAULT_INGRESS_NAME = "ingress.tlsbridge.test";

/** File names inside the directory, as the example configs reference them. */
export const PKI_FILE_NAMES = {
  ca: "ca.pem",
  caKey: "ca-key.pem",
  peer: "peer.pem",
  peerKey: "peer-key.pem",
  ingress: "ingress.pem",
  ingressKey: "ingress-key.pem",
} as const;

const DIR_MODE = 0o700;

/**
 * Creates `dir` (mode 0700 when it is new) and writes a CA, the peer's server certificate and the
 * ingress's client certificate, keys with mode 0600. Refuses with PkiError TLSB_ERR_PKI_EXISTS,
 * before writing anything, if any of the six files exists and `force` is not set.
 */
export async function initPki(dir: string, options: InitPkiOptions = {}): Promise<PkiFiles> {
  const root = resolve(dir);
  const files: PkiFiles = {
    dir: root,
    ca: join(root, PKI_FILE_NAMES.ca),
    caKey: join(root, PKI_FILE_NAMES.caKey),
    peer: join(root, PKI_FILE_NAMES.peer),
    peerKey: join(root, PKI_FILE_NAMES.peerKey),
    ingress: join(root, PKI_FILE_NAMES.ingress),
    ingressKey: join(root, PKI_FILE_NAMES.ingressKey),
  };
  const force = options.force ?? false;
  const targets = [files.ca, files.caKey, files.peer, files.peerKey, files.ingress, files.ingressKey];

  if (!force) await refuseExisting(targets);

  // Issue everything before touching the disk, so a bad name leaves no half-written directory.
  const peerNames = options.peerNames ?? [];
  const ingressName = options.ingressName ?? DEFAULT_INGRESS_NAME;
  const ca = await issueCa();
  const peer = await issuePeerCert(ca, {
    names: [...DEFAULT_PEER_NAMES, ...peerNames],
    commonName: peerNames[0] ?? "peer.tlsbridge.test",
  });
  const ingress = await issueIngressCert(ca, {
    names: [ingressName],
    commonName: ingressName,
    ...(options.ingressSpiffeId === undefined ? {} : { spiffeIds: [options.ingressSpiffeId] }),
  });

  await mkdir(root, { recursive: true, mode: DIR_MODE });
  await writePemFiles([
    { path: files.caKey, text: ca.key, kind: "key" },
    { path: files.ca, text: ca.cert, kind: "cert" },
    { path: files.peerKey, text: peer.key, kind: "key" },
    { path: files.peer, text: peer.cert, kind: "cert" },
    { path: files.ingressKey, text: ingress.key, kind: "key" },
    { path: files.ingress, text: ingress.cert, kind: "cert" },
  ], force, "pki init");
  return files;
}
