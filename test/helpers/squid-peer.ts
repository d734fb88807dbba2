// A stock squid (Debian's squid-openssl) as the peer of our ingress, for the interop tests: an
// `https_port` that requires a client certificate from the test CA (`clientca=`) and allows CONNECT
// to the listed ports only.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startSquid } from "./squid-process.ts";
import type { SquidProcess } from "./squid-process.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";

export { squidUnavailable } from "./squid-process.ts";

/** A running squid peer. */
export type SquidPeer = SquidProcess;

/**
 * Starts squid with an mTLS `https_port` on a free loopback port, presenting `cert` and requiring a
 * client certificate signed by `ca`; CONNECT is allowed to `allowPorts` and denied (403) elsewhere.
 */
export function startSquidPeer(options: { readonly ca: string; readonly cert: IssuedCertificate; readonly allowPorts: readonly number[] }): Promise<SquidPeer> {
  return startSquid("squid-peer", async (dir, port) => {
    const files = { ca: join(dir, "ca.pem"), cert: join(dir, "peer.pem"), key: join(dir, "peer-key.pem") };
    await writeFile(files.ca, options.ca);
    await writeFile(files.cert, options.cert.cert);
    await writeFile(files.key, options.cert.key, { mode: 0o600 });
    return `https_port 127.0.0.1:${port} tls-cert=${files.cert} tls-key=${files.key} clientca=${files.ca} tls-cafile=${files.ca} tls-min-version=1.3
acl CONNECT method CONNECT
acl test_ports port ${options.allowPorts.join(" ")}
http_access allow CONNECT test_ports
http_access deny all
access_log none`;
  });
}
