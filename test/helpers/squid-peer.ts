// A stock squid (Debian's squid-openssl) as the peer of our ingress, for the interop tests: an
// `https_port` that requires a client certificate from the test CA (`clientca=`) and allows CONNECT
// to the listed ports only; no cache, its pid and logs in a temp dir, on its own loopback port.
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProgram, freeLoopbackPort, startForeignProcess } from "./foreign-process.ts";
import type { ForeignProcess } from "./foreign-process.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";

/** A running squid peer. */
export type SquidPeer = {
  readonly port: number;
  readonly process: ForeignProcess;
  readonly close: () => Promise<void>;
};

/** Why squid cannot run here (to skip with), or undefined when it can. */
export function squidUnavailable(): string | undefined {
  const squid = findProgram("squid");
  if (squid === undefined) return "squid is not installed (Debian package squid-openssl; .ci/run installs it)";
  const version = execFileSync(squid, ["-v"], { encoding: "utf8" });
  if (!version.includes("--with-openssl")) return "squid is built without OpenSSL: install Debian's squid-openssl";
  return undefined;
}

/**
 * Starts squid with an mTLS `https_port` on a free loopback port, presenting `cert` and requiring a
 * client certificate signed by `ca`; CONNECT is allowed to `allowPorts` and denied (403) elsewhere.
 */
export async function startSquidPeer(options: { readonly ca: string; readonly cert: IssuedCertificate; readonly allowPorts: readonly number[] }): Promise<SquidPeer> {
  const squid = findProgram("squid") as string;
  const dir = await mkdtemp(join(tmpdir(), "tlsbridge-squid-"));
  // Run as root, squid drops to its `proxy` user after reading its config and certificates: its
  // logs and pid file must be writable by that user.
  await chmod(dir, 0o777);
  const port = await freeLoopbackPort();
  const files = { ca: join(dir, "ca.pem"), cert: join(dir, "peer.pem"), key: join(dir, "peer-key.pem"), conf: join(dir, "squid.conf") };
  await writeFile(files.ca, options.ca);
  await writeFile(files.cert, options.cert.cert);
  await writeFile(files.key, options.cert.key, { mode: 0o600 });
  await writeFile(files.conf, `# written by test/helpers/squid-peer.ts
visible_hostname squid-peer.interop
https_port 127.0.0.1:${port} tls-cert=${files.cert} tls-key=${files.key} clientca=${files.ca} tls-cafile=${files.ca} tls-min-version=1.3
acl CONNECT method CONNECT
acl test_ports port ${options.allowPorts.join(" ")}
http_access allow CONNECT test_ports
http_access deny all
cache deny all
cache_mem 8 MB
access_log none
cache_store_log none
cache_log ${join(dir, "cache.log")}
pid_filename ${join(dir, "squid.pid")}
coredump_dir ${dir}
shutdown_lifetime 0 seconds
dns_nameservers 127.0.0.1
`);
  const process = await startForeignProcess(squid, ["-N", "-f", files.conf], { logFile: join(dir, "squid.out"), ports: [port] }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    port,
    process,
    close: async () => {
      await process.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
