// What a reload cannot apply to a running node: bound addresses, the process layout and its user.
// Said in a warning rather than half-applied. (The tunnel caps reload: TunnelLimiter.update.)
import { formatHostPort } from "@tlsbridge/config";
import type { LoadedConfig, LoadedIngressConfig } from "@tlsbridge/config";

type Listener = LoadedIngressConfig["options"]["listeners"][number];

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
    const listeners = listenerChanges(old.options.listeners, next.options.listeners);
    changes.push(...listeners.changes);
    blocking = listeners.blocking;
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

const tlsWord = (l: Listener): string => (l.tls === undefined ? "off" : "on");

/**
 * What changed between two listener lists, one line each naming the listener (site and address)
 * and the change (issue 15: the message said only "sites, order or TLS differ"). Added, removed or
 * reordered listeners and TLS turned on or off block the whole reload; a new address does not.
 */
function listenerChanges(a: readonly Listener[], b: readonly Listener[]): RestartNeeded {
  const changes: string[] = [];
  const before = new Map(a.map((l) => [l.site, l]));
  const after = new Map(b.map((l) => [l.site, l]));
  for (const l of a) if (!after.has(l.site)) changes.push(`listener ${l.site} (${formatHostPort(l)}) removed`);
  for (const l of b) if (!before.has(l.site)) changes.push(`listener ${l.site} (${formatHostPort(l)}) added`);
  const kept = (list: readonly Listener[], other: Map<string, Listener>): string => list.filter((l) => other.has(l.site)).map((l) => l.site).join(", ");
  if (kept(a, after) !== kept(b, before)) changes.push(`listeners reordered: ${kept(a, after)} -> ${kept(b, before)}`);
  for (const l of a) {
    const n = after.get(l.site);
    if (n !== undefined && tlsWord(n) !== tlsWord(l)) changes.push(`listener ${l.site} (${formatHostPort(l)}): TLS ${tlsWord(l)} -> ${tlsWord(n)}`);
    const [from, to] = [l.protocol ?? "http", n?.protocol ?? "http"];
    if (n !== undefined && from !== to) changes.push(`listener ${l.site} (${formatHostPort(l)}): protocol ${from} -> ${to}`);
  }
  const blocking = changes.length > 0;
  for (const l of a) {
    const n = after.get(l.site);
    if (n !== undefined && (n.host !== l.host || n.port !== l.port)) changes.push(`listener ${l.site}: ${formatHostPort(l)} -> ${formatHostPort(n)}`);
  }
  return { changes, blocking };
}
