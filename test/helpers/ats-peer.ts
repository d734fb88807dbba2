// A stock Apache Traffic Server (Debian's trafficserver 9.2) as the peer of our ingress, for the
// interop tests: no plugin, just an `ssl` server port that requires a client certificate from the
// test CA (`certification_level 2`) and allows CONNECT to the listed ports. Every file ATS reads or
// writes (records, ssl_multicert, ip_allow, logs, runtime, cache) lives in a temp dir, named by a
// run-root layout; traffic_server runs in the foreground, as the invoking user, on its own port.
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, which } from "@tlsbridge/bench";
import { startForeignProcess } from "./foreign-process.ts";
import type { ForeignProcess } from "./foreign-process.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";

/** A running ATS peer. */
export type AtsPeer = {
  readonly port: number;
  readonly process: ForeignProcess;
  readonly close: () => Promise<void>;
};

/** Why ATS cannot run here (to skip with), or undefined when it can. */
export function atsUnavailable(): string | undefined {
  if (which("traffic_server") === undefined) return "traffic_server is not installed (Debian package trafficserver; .ci/run installs it)";
  return undefined;
}

/**
 * Starts traffic_server with one TLS port on a free loopback port, presenting `cert` and requiring a
 * client certificate signed by `ca`; CONNECT is allowed to `allowPorts` only (ATS answers others 403).
 */
export async function startAtsPeer(options: { readonly ca: string; readonly cert: IssuedCertificate; readonly allowPorts: readonly number[] }): Promise<AtsPeer> {
  const trafficServer = which("traffic_server") as string;
  const dir = await mkdtemp(join(tmpdir(), "tlsbridge-ats-"));
  const etc = join(dir, "etc");
  const dirs = { etc, log: join(dir, "log"), run: join(dir, "run"), cache: join(dir, "cache") };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  // The error page templates ATS answers refusals with; read only.
  await cp("/etc/trafficserver/body_factory", join(etc, "body_factory"), { recursive: true }).catch(() => {});
  const port = await freePort();
  await writeFile(join(etc, "ca.pem"), options.ca);
  await writeFile(join(etc, "peer.pem"), options.cert.cert);
  await writeFile(join(etc, "peer-key.pem"), options.cert.key, { mode: 0o600 });
  // The layout a run root names: system binaries and plugins, everything writable in the temp dir.
  await writeFile(join(dir, "runroot.yaml"), `prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: ${dirs.etc}
datadir: /usr/share/trafficserver
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: ${dir}
runtimedir: ${dirs.run}
logdir: ${dirs.log}
cachedir: ${dirs.cache}
`);
  await writeFile(join(etc, "records.config"), `# written by test/helpers/ats-peer.ts
CONFIG proxy.config.admin.user_id STRING #-1
CONFIG proxy.config.http.server_ports STRING ${port}:ssl:ipv4:ip-in=127.0.0.1
CONFIG proxy.config.http.connect_ports STRING ${options.allowPorts.join(" ")}
CONFIG proxy.config.ssl.client.certification_level INT 2
CONFIG proxy.config.ssl.CA.cert.path STRING ${etc}
CONFIG proxy.config.ssl.CA.cert.filename STRING ca.pem
CONFIG proxy.config.ssl.server.cert.path STRING ${etc}
CONFIG proxy.config.ssl.server.private_key.path STRING ${etc}
CONFIG proxy.config.ssl.server.multicert.filename STRING ssl_multicert.config
CONFIG proxy.config.url_remap.remap_required INT 0
CONFIG proxy.config.reverse_proxy.enabled INT 0
CONFIG proxy.config.http.cache.http INT 0
CONFIG proxy.config.cache.ram_cache.size INT 0
CONFIG proxy.config.log.logging_enabled INT 0
CONFIG proxy.config.dns.nameservers STRING 127.0.0.1
CONFIG proxy.config.dns.resolv_conf STRING NULL
CONFIG proxy.config.exec_thread.autoconfig INT 0
CONFIG proxy.config.exec_thread.limit INT 2
CONFIG proxy.config.accept_threads INT 1
CONFIG proxy.config.task_threads INT 1
CONFIG proxy.config.diags.debug.enabled INT 0
CONFIG proxy.config.body_factory.template_sets_dir STRING ${join(etc, "body_factory")}
`);
  await writeFile(join(etc, "ssl_multicert.config"), "dest_ip=* ssl_cert_name=peer.pem ssl_key_name=peer-key.pem\n");
  await writeFile(join(etc, "ip_allow.yaml"), `ip_allow:
  - apply: in
    ip_addrs: 127.0.0.1
    action: allow
    methods: ALL
  - apply: out
    ip_addrs: 127.0.0.1
    action: allow
    methods: ALL
`);
  for (const empty of ["remap.config", "plugin.config", "storage.config", "volume.config", "hosting.config", "cache.config",
    "parent.config", "socks.config", "splitdns.config", "logging.yaml", "sni.yaml", "strategies.yaml"]) {
    await writeFile(join(etc, empty), "");
  }
  const process = await startForeignProcess(trafficServer, [`--run-root=${join(dir, "runroot.yaml")}`], {
    logFile: join(dir, "traffic_server.out"), ports: [port],
  }).catch(async (err: unknown) => {
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
