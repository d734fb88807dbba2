// Runs a stock squid (Debian's squid-openssl) for a test, in whatever role the caller configures
// (an mTLS peer, a corporate forward proxy): no cache, its pid and logs in a temp dir, on its own
// loopback port, stopped with the test.
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProgram, freeLoopbackPort, startForeignProcess } from "./foreign-process.ts";
import type { ForeignProcess } from "./foreign-process.ts";

/** A running squid. */
export type SquidProcess = {
  readonly port: number;
  /** Its temp dir (config, logs). */
  readonly dir: string;
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
 * Starts squid with the lines `configure(dir, port)` writes (its listening port, ACLs, logs) plus
 * the common ones; `configure` may also write the files those lines name into `dir`.
 */
export async function startSquid(name: string, configure: (dir: string, port: number) => Promise<string>): Promise<SquidProcess> {
  const squid = findProgram("squid") as string;
  const dir = await mkdtemp(join(tmpdir(), `tlsbridge-${name}-`));
  // Run as root, squid drops to its `proxy` user after reading its config and certificates: its
  // logs, pid file and helper files must be readable or writable by that user.
  await chmod(dir, 0o777);
  const port = await freeLoopbackPort();
  const conf = join(dir, "squid.conf");
  await writeFile(conf, `# written by test/helpers/squid-process.ts
visible_hostname ${name}.test
${await configure(dir, port)}
cache deny all
cache_mem 8 MB
cache_store_log none
cache_log ${join(dir, "cache.log")}
pid_filename ${join(dir, "squid.pid")}
coredump_dir ${dir}
shutdown_lifetime 0 seconds
dns_nameservers 127.0.0.1
`);
  const process = await startForeignProcess(squid, ["-N", "-f", conf], { logFile: join(dir, "squid.out"), ports: [port] }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    port,
    dir,
    process,
    close: async () => {
      await process.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
