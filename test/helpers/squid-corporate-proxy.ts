// A stock squid as the corporate HTTP proxy an ingress must go through to reach its peers (`via:`,
// issue 14): an `http_port` (or `https_port`) that allows CONNECT to the listed ports, denies it (403) to others,
// and with `users` asks for Basic credentials (407) checked by squid's own basic_ncsa_auth helper.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startSquid } from "./squid-process.ts";
import type { SquidProcess } from "./squid-process.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";

export { squidUnavailable } from "./squid-process.ts";

/** A running corporate proxy and what it logged. */
export type CorporateProxyProcess = SquidProcess & {
  /** `127.0.0.1:port`: how the ingress names it (`next-hop`, logs, metrics). */
  readonly name: string;
  /** Squid's access log so far: one line per request, with its method, target and status. */
  readonly accessLog: () => Promise<string>;
};

/** Where squid's Basic helper lives on Debian. */
const NCSA_AUTH = "/usr/lib/squid/basic_ncsa_auth";

/**
 * Starts the proxy: CONNECT to `allowPorts` is allowed, to `denyPorts` refused with 403 (before any
 * authentication); `users` (name -> password) turns Basic authentication on.
 */
export function startCorporateProxy(options: {
  readonly allowPorts: readonly number[];
  readonly denyPorts?: readonly number[];
  readonly users?: Readonly<Record<string, string>>;
  /** Present: an `https://` proxy (TLS to the proxy itself) presenting this certificate. */
  readonly tls?: IssuedCertificate;
}): Promise<CorporateProxyProcess> {
  return startSquid("corp-proxy", async (dir, port) => {
    let listen = `http_port 127.0.0.1:${port}`;
    if (options.tls !== undefined) {
      await writeFile(join(dir, "proxy.pem"), options.tls.cert);
      await writeFile(join(dir, "proxy-key.pem"), options.tls.key, { mode: 0o600 });
      listen = `https_port 127.0.0.1:${port} tls-cert=${join(dir, "proxy.pem")} tls-key=${join(dir, "proxy-key.pem")}`;
    }
    const lines = [listen, "acl CONNECT method CONNECT", `access_log stdio:${join(dir, "access.log")} squid`];
    if (options.denyPorts !== undefined && options.denyPorts.length > 0) {
      lines.push(`acl denied_ports port ${options.denyPorts.join(" ")}`, "http_access deny CONNECT denied_ports");
    }
    if (options.users !== undefined) {
      if (!existsSync(NCSA_AUTH)) throw new Error(`squid's Basic helper ${NCSA_AUTH} is missing`);
      // MD5-crypt entries (`openssl passwd -1`), a format basic_ncsa_auth reads (its {SHA} is refused).
      const passwd = Object.entries(options.users)
        .map(([user, password]) => `${user}:${execFileSync("openssl", ["passwd", "-1", "-stdin"], { input: password, encoding: "utf8" }).trim()}`)
        .join("\n");
      await writeFile(join(dir, "passwd"), `${passwd}\n`, { mode: 0o644 });
      lines.push(
        `auth_param basic program ${NCSA_AUTH} ${join(dir, "passwd")}`,
        "auth_param basic realm corp-proxy",
        "acl authenticated proxy_auth REQUIRED",
        "http_access deny !authenticated",
      );
    }
    lines.push(`acl allowed_ports port ${options.allowPorts.join(" ")}`, "http_access allow CONNECT allowed_ports", "http_access deny all");
    return lines.join("\n");
  }).then((squid) => ({
    ...squid,
    name: `127.0.0.1:${squid.port}`,
    accessLog: async () => await readFile(join(squid.dir, "access.log"), "utf8").catch(() => ""),
  }));
}
