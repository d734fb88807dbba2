// A loaded config as plain data for the `config.loaded` log line: what runs where, without PEM
// bytes, keys or compiled patterns. Not the node's name: the node's logger already writes `node`
// (issue 15: config.loaded carried it twice).
import { formatHostPort } from "@tlsbridge/config";
import { formatCidr } from "@tlsbridge/rules";
import type { LoadedConfig } from "@tlsbridge/config";
import type { LogFields } from "@tlsbridge/transport";

/** The loggable facts of a loaded config. */
export function summariseConfig(loaded: LoadedConfig): LogFields<"config.loaded"> {
  const common = { file: loaded.file, shutdownGraceMs: loaded.shutdownGraceMs };
  if (loaded.kind === "peer") {
    const o = loaded.options;
    return {
      ...common,
      listen: formatHostPort(o),
      allow: o.allow.entries.map((e) => ({ match: e.match, ports: e.ports ?? "any", ...(e.proxyProtocol !== undefined ? { proxyProtocol: e.proxyProtocol } : {}) })),
      keyExchangeGroups: o.keyExchangeGroups,
      limits: o.limits,
    };
  }
  const o = loaded.options;
  return {
    ...common,
    listeners: o.listeners.map((l, i) => ({
      site: l.site,
      listen: formatHostPort(l),
      tls: l.tls !== undefined,
      rules: loaded.ruleFiles[i],
      ruleCount: l.rules.rules.length,
      ...(l.clients === undefined ? {} : { clients: l.clients.cidrs.map(formatCidr) }),
    })),
    peers: [...o.peers.values()].map((p) => ({
      name: p.name, address: formatHostPort(p), servername: p.servername,
      // The proxy's name only: its credentials stay out of every log line.
      ...(p.via !== undefined ? { via: p.via.name } : {}),
    })),
    keyExchangeGroups: o.keyExchangeGroups,
    limits: o.limits,
  };
}
