// A loaded config as plain data for the `config.loaded` log line: what runs where, without PEM
// bytes, keys or compiled patterns.
import { formatHostPort } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";

/** The loggable facts of a loaded config. */
export function summariseConfig(loaded: LoadedConfig): Record<string, unknown> {
  const common = { file: loaded.file, shutdownGraceMs: loaded.shutdownGraceMs };
  if (loaded.kind === "peer") {
    const o = loaded.options;
    return {
      ...common,
      node: o.nodeName,
      listen: formatHostPort(o),
      allow: o.allow.entries.map((e) => ({ match: e.match, ports: e.ports ?? "any" })),
      keyExchangeGroups: o.keyExchangeGroups,
      limits: o.limits,
    };
  }
  const o = loaded.options;
  return {
    ...common,
    node: o.nodeName,
    listeners: o.listeners.map((l, i) => ({
      site: l.site,
      listen: formatHostPort(l),
      tls: l.tls !== undefined,
      rules: loaded.ruleFiles[i],
      ruleCount: l.rules.rules.length,
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
