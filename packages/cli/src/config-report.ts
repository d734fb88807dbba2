// What `tlsbridge check` prints about a valid config: the node, its listeners or allow list, its
// peers, and every certificate with subject and expiry, warnings last.
import { certificateWarning, CONFIG_DEFAULTS, configWarnings, formatHostPort } from "@tlsbridge/config";
import { formatCidr } from "@tlsbridge/rules";
import type { LoadedConfig } from "@tlsbridge/config";

/** Lines describing a loaded config (no trailing newlines). */
export function configReport(loaded: LoadedConfig): string[] {
  const lines = [`${loaded.file}: ok (${loaded.kind} config, node ${loaded.options.nodeName})`];
  if (loaded.kind === "ingress") {
    loaded.options.listeners.forEach((l, i) => {
      const n = l.rules.rules.length;
      const auth = l.auth === undefined ? "" : `, proxy auth (${l.auth.users.size} user${l.auth.users.size === 1 ? "" : "s"})`;
      const clients = l.clients === undefined ? "" : `, clients ${l.clients.cidrs.map(formatCidr).join(" ")}`;
      const protocol = l.protocol === "socks5" ? " (socks5)" : l.protocol === "sni" ? ` (sni, to port ${String(l.targetPort)})` : "";
      lines.push(`  listener ${formatHostPort(l)}${l.tls ? " (tls)" : ""}${protocol}: site ${l.site}, ${loaded.ruleFiles[i] ?? "?"} (${n} rule${n === 1 ? "" : "s"})${auth}${clients}`);
    });
    for (const p of loaded.options.peers.values()) {
      lines.push(`  peer ${p.name}: ${formatHostPort(p)}, servername ${p.servername}`);
    }
  } else {
    const o = loaded.options;
    lines.push(`  listen ${formatHostPort(o)}`);
    lines.push(o.ingresses === undefined
      ? "  ingresses: any certificate from the CA"
      : `  ingresses: ${o.ingresses.map((p) => `'${p.source}'`).join(", ")} (certificate DNS name or CN)`);
    lines.push(o.dns === undefined ? "  dns: the system's resolver" : `  dns: ${o.dns.servers.join(", ")} (TTL cache)`);
    if (o.allow.entries.length === 0) lines.push("  allow: (empty: nothing is reachable)");
    for (const e of o.allow.entries) {
      const proxyProtocol = e.proxyProtocol === undefined ? "" : `, PROXY protocol ${e.proxyProtocol}`;
      lines.push(`  allow '${e.match}' ${e.ports === undefined ? "any port" : `ports ${e.ports.join(", ")}`}${proxyProtocol}`);
    }
  }
  for (const c of loaded.certificates) {
    lines.push(`  ${c.role === "ca" ? "ca  " : "cert"} ${c.file}: ${c.subject}, expires ${c.notAfter} (${c.daysLeft} days)`);
  }
  for (const c of loaded.certificates) {
    const warning = certificateWarning(c, CONFIG_DEFAULTS.certExpiryWarningDays);
    if (warning !== undefined) lines.push(`warning: ${warning}`);
  }
  for (const warning of configWarnings(loaded)) lines.push(`warning: ${warning}`);
  return lines;
}
