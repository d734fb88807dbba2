// Certificates for the TLS baselines (and tlsbridge): an EC P-256 CA, a server and a client
// certificate, made with the openssl CLI into the run's temp dir, so every system uses the same keys.

import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Paths of the PEM files. The server certificate is valid for `localhost` and 127.0.0.1. */
export type CertPaths = {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Server name every client verifies. */
  serverName: string;
};

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function issue(dir: string, name: string, cn: string, ext: string): void {
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}-key.pem`], dir);
  openssl(["req", "-new", "-key", `${name}-key.pem`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
      "-days", "7", "-sha256", "-extfile", `${name}.ext`, "-out", `${name}.pem`],
    dir,
  );
}

/** Generates the CA and both leaf certificates in `dir` (world-readable: squid drops root). */
export function generateCerts(dir: string): CertPaths {
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca-key.pem"], dir);
  openssl(["req", "-x509", "-new", "-key", "ca-key.pem", "-subj", "/CN=tlsbridge bench CA", "-days", "7",
    "-sha256", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-out", "ca.pem"], dir);
  issue(dir, "server", "localhost",
    "basicConstraints=CA:false\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
  issue(dir, "client", "bench-client",
    "basicConstraints=CA:false\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n");
  for (const f of ["ca.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem"]) chmodSync(join(dir, f), 0o644);
  return {
    dir,
    ca: join(dir, "ca.pem"),
    caKey: join(dir, "ca-key.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server-key.pem"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client-key.pem"),
    serverName: "localhost",
  };
}
