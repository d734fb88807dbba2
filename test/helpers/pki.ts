// Certificates for tests: one private CA and every certificate a TLS test needs (good ones, one
// from another CA, an expired one, one for the wrong name), issued once per process and shared.
import { rmSync } from "node:fs";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCa, issueIngressCert, issueLeafCert, issuePeerCert } from "../../packages/cli/src/pki/index.ts";
import type { IssuedCertificate, LeafOptions } from "../../packages/cli/src/pki/index.ts";

/** The names every good server certificate here carries: what loopback tests dial. */
export const TEST_SERVER_NAMES: readonly string[] = ["localhost", "127.0.0.1", "::1"];

/** The one name the wrong-name certificate carries. */
export const WRONG_NAME = "wrong.tlsbridge.test";

/** CN and DNS SAN of the ingress's client certificate. */
export const TEST_INGRESS_NAME = "ingress.tlsbridge.test";

/** Every certificate a TLS test needs, as PEM pairs (`cert`, PKCS#8 `key`). */
export interface TestPki {
  /** The private CA both nodes trust. Pass `ca.cert` as `ca` to servers and clients. */
  readonly ca: IssuedCertificate;
  /** Peer server certificate for localhost, 127.0.0.1, ::1 (EKU serverAuth). */
  readonly peer: IssuedCertificate;
  /** Ingress client certificate (EKU clientAuth), CN ingress.tlsbridge.test. */
  readonly ingress: IssuedCertificate;
  /** Server certificate for an HTTPS test service: localhost, 127.0.0.1, ::1, service.tlsbridge.test. */
  readonly service: IssuedCertificate;
  /** A second, unrelated CA. */
  readonly otherCa: IssuedCertificate;
  /** Client certificate signed by the other CA: a peer must reject it. */
  readonly otherCaIngress: IssuedCertificate;
  /** Server certificate for localhost signed by the other CA: an ingress must reject it. */
  readonly otherCaPeer: IssuedCertificate;
  /** Server certificate for localhost, signed by `ca`, that expired yesterday. */
  readonly expiredPeer: IssuedCertificate;
  /** Server certificate signed by `ca` for wrong.tlsbridge.test only: fails `checkServerIdentity("localhost")`. */
  readonly wrongNamePeer: IssuedCertificate;
}

/** Key of {@link TestPki}: which certificate. */
export type TestCertName = keyof TestPki;

/** Paths of one certificate written to disk. */
export interface TestCertFiles {
  readonly cert: string;
  readonly key: string;
}

/** {@link TestPki} written to files (`<name>.pem`, `<name>-key.pem`, keys mode 0600), for configs. */
export type TestPkiFiles = { readonly dir: string } & { readonly [K in TestCertName]: TestCertFiles };

const DAY_MS = 24 * 60 * 60 * 1000;

let cached: Promise<TestPki> | undefined;
let cachedFiles: Promise<TestPkiFiles> | undefined;

/** The shared test certificates, issued on first call and cached for the rest of the process. */
export function testPki(): Promise<TestPki> {
  cached ??= issueTestPki().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/**
 * Writes {@link testPki} to `dir`, or (without `dir`) to one temp directory per process that is
 * removed on exit, and returns the paths. The temp-directory result is cached.
 */
export function writeTestPki(dir?: string): Promise<TestPkiFiles> {
  if (dir !== undefined) return writeFiles(dir);
  cachedFiles ??= (async () => {
    const temp = await mkdtemp(join(tmpdir(), "tlsbridge-pki-"));
    process.once("exit", () => rmSync(temp, { recursive: true, force: true }));
    return writeFiles(temp);
  })().catch((err: unknown) => {
    cachedFiles = undefined;
    throw err;
  });
  return cachedFiles;
}

/** Issues one more leaf signed by the shared test CA (server usage unless `options.usage` says otherwise). */
export async function issueTestCert(options: LeafOptions): Promise<IssuedCertificate> {
  return issueLeafCert((await testPki()).ca, options);
}

async function issueTestPki(): Promise<TestPki> {
  const [ca, otherCa] = await Promise.all([
    issueCa({ commonName: "tlsbridge test CA" }),
    issueCa({ commonName: "tlsbridge other test CA" }),
  ]);
  const now = Date.now();
  const [peer, ingress, service, otherCaIngress, otherCaPeer, expiredPeer, wrongNamePeer] = await Promise.all([
    issuePeerCert(ca, { names: TEST_SERVER_NAMES }),
    issueIngressCert(ca, { names: [TEST_INGRESS_NAME] }),
    issueLeafCert(ca, { names: [...TEST_SERVER_NAMES, "service.tlsbridge.test"] }),
    issueIngressCert(otherCa, { names: [TEST_INGRESS_NAME] }),
    issuePeerCert(otherCa, { names: TEST_SERVER_NAMES }),
    issuePeerCert(ca, { names: TEST_SERVER_NAMES, notBefore: new Date(now - 2 * DAY_MS), notAfter: new Date(now - DAY_MS) }),
    issuePeerCert(ca, { names: [WRONG_NAME] }),
  ]);
  return { ca, peer, ingress, service, otherCa, otherCaIngress, otherCaPeer, expiredPeer, wrongNamePeer };
}

async function writeFiles(dir: string): Promise<TestPkiFiles> {
  const pki = await testPki();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const entries = await Promise.all(
    (Object.keys(pki) as TestCertName[]).map(async (name) => {
      const files: TestCertFiles = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
      await writeFile(files.cert, pki[name].cert, { mode: 0o644 });
      await writeFile(files.key, pki[name].key, { mode: 0o600 });
      await chmod(files.key, 0o600); // an older file keeps its mode through writeFile
      return [name, files] as const;
    }),
  );
  return { dir, ...Object.fromEntries(entries) } as TestPkiFiles;
}
