// What a reload cannot apply to a running node: bound addresses, the process layout and its user.
// Said in a warning rather than half-applied. (The tunnel caps reload: TunnelLimiter.update.)
import { formatHostPort } from "@tlsbridge/config";
import type { LoadedConfig } from "@tlsbridge/config";

/** Differences between the running config and a new one that only a restart applies. */
export type RestartNeeded = {
  /** One line per difference. */
  readonly changes: readonly string[];
  /** True when the listeners themselves changed (added, removed, reordered, TLS on/off, protocol): nothing is applied. */
  readonly blocking: boolean;
};

/** Compares two validated configs of the same node. */
export function restartNeeded(old: LoadedConfig, next: LoadedConfig): RestartNeeded {
  const changes: string[] = [];
  let blocking = false;
  if (old.kind !== next.kind) return { changes: [`the config is now for a ${next.kind}`], blocking: true };
  if (old.kind === "ingress" && next.kind === "ingress") {
    const a = old.options.listeners;
    const b = next.options.listeners;
    if (a.length !== b.length || a.some((l, i) => l.site !== b[i]?.site || (l.tls === undefined) !== (b[i]?.tls === undefined)
      || (l.protocol ?? "http") !== (b[i]?.protocol ?? "http"))) {
      changes.push(`listeners: ${a.map((l) => l.site).join(", ")} -> ${b.map((l) => l.site).join(", ")} (sites, order, TLS or protocol differ)`);
      blocking = true;
    } else {
      for (const [i, l] of a.entries()) {
        const n = b[i];
        if (n !== undefined && (n.host !== l.host || n.port !== l.port)) {
          changes.push(`listener ${l.site}: ${formatHostPort(l)} -> ${formatHostPort(n)}`);
        }
      }
    }
  }
  if (old.kind === "peer" && next.kind === "peer") {
    if (old.options.host !== next.options.host || old.options.port !== next.options.port) {
      changes.push(`listen: ${formatHostPort(old.options)} -> ${formatHostPort(next.options)}`);
    }
  }
  if (old.ops.workers !== next.ops.workers) changes.push(`workers: ${old.ops.workers} -> ${next.ops.workers}`);
  const adminOf = (c: LoadedConfig): string => (c.ops.admin === undefined ? "off" : `${formatHostPort(c.ops.admin.listen)} every ${c.ops.admin.peerProbeIntervalMs} ms`);
  if (adminOf(old) !== adminOf(next)) changes.push(`admin: ${adminOf(old)} -> ${adminOf(next)}`);
  if (old.ops.watchFiles !== next.ops.watchFiles) changes.push(`watchFiles: ${old.ops.watchFiles} -> ${next.ops.watchFiles}`);
  const runAsOf = (c: LoadedConfig): string => (c.runAs === undefined ? "unset" : `${c.runAs.user}:${c.runAs.group}`);
  if (runAsOf(old) !== runAsOf(next)) changes.push(`user: ${runAsOf(old)} -> ${runAsOf(next)}`);
  if (old.drainDelayMs !== next.drainDelayMs) changes.push(`drainDelayMs: ${old.drainDelayMs} -> ${next.drainDelayMs}`);
  if (old.shutdownGraceMs !== next.shutdownGraceMs) changes.push(`shutdownGraceMs: ${old.shutdownGraceMs} -> ${next.shutdownGraceMs}`);
  return { changes, blocking };
}
