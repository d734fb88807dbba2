// How a stock squid (Debian's squid-openssl) is run, in every role we give it: the benchmark's squid
// pair and the interop tests' peer and corporate proxy. One availability check, the config lines
// every role shares (no cache, its files in its own dir, quick shutdown, DNS only on loopback) and
// the foreground command line; each caller runs that command with its own process supervisor.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { squidHasOpenssl, which } from "./tools.ts";

/** Why squid cannot run here (to skip with), or undefined when it can. */
export function squidUnavailable(): string | undefined {
  const squid = which("squid");
  if (squid === undefined) return "squid is not installed (Debian package squid-openssl; .ci/run installs it)";
  if (!squidHasOpenssl(squid)) return "squid is built without OpenSSL: install Debian's squid-openssl";
  return undefined;
}

/** A squid ready to start: the command and arguments that run it in the foreground with its config. */
export type SquidCommand = { readonly command: string; readonly args: readonly string[] };

/**
 * Writes `<dir>/squid.conf`, the role's `roleLines` (listening port, ACLs, access log) plus the
 * shared lines, and makes `dir` writable by squid (run as root, it drops to its `proxy` user after
 * reading its config and certificates, then writes its logs and pid file there).
 */
export function prepareSquid(dir: string, name: string, roleLines: string): SquidCommand {
  chmodSync(dir, 0o777);
  const conf = join(dir, "squid.conf");
  writeFileSync(conf, `# written by packages/bench/src/squid-launch.ts
visible_hostname ${name}.test
${roleLines}
cache deny all
cache_mem 8 MB
cache_store_log none
cache_log ${join(dir, "cache.log")}
pid_filename ${join(dir, "squid.pid")}
coredump_dir ${dir}
shutdown_lifetime 0 seconds
dns_nameservers 127.0.0.1
`);
  return { command: which("squid") as string, args: ["-N", "-f", conf] };
}
