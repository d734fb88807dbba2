// The `msg` of an `access` line (issue 15): one line a person reads without the JSON around it,
// the same shape at both nodes, e.g. `CONNECT example.org:443 200 via cloud 1.2 MB↑ 30 MB↓ 5.1 s`.

/** What the summary of one tunnel attempt says; absent parts are left out. */
export type AccessSummaryFacts = {
  /** How the client asked: `CONNECT` (HTTP), `SOCKS5`, `SNI`. */
  readonly verb: string;
  readonly target: string | undefined;
  /** The HTTP status answered (or that the same outcome gets over HTTP); undefined: nobody was answered. */
  readonly status: number | undefined;
  /** The Proxy-Status error type of a refusal. */
  readonly error: string | undefined;
  /** Who the tunnel went through or came from, e.g. `via cloud`, `from ingress-hq`. */
  readonly hop: string | undefined;
  /** Bytes each way, for a tunnel that opened. */
  readonly bytes: { readonly up: number; readonly down: number } | undefined;
  readonly durationMs: number;
  readonly outcome: string;
};

/** `1.2 MB`, `512 B`: decimal units, one decimal from kB up. */
export function formatByteCount(bytes: number): string {
  const units = ["kB", "MB", "GB", "TB"] as const;
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes;
  let unit: string = "B";
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** `12 ms` under a second, `5.1 s` from there. */
export function formatDurationMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The one-line summary of an attempt; the outcome is named unless it is the expected one. */
export function accessSummary(facts: AccessSummaryFacts): string {
  const parts = [facts.verb, facts.target ?? "-", facts.status === undefined ? "-" : String(facts.status)];
  if (facts.error !== undefined) parts.push(facts.error);
  if (facts.hop !== undefined) parts.push(facts.hop);
  if (facts.bytes !== undefined) parts.push(`${formatByteCount(facts.bytes.up)}↑`, `${formatByteCount(facts.bytes.down)}↓`);
  parts.push(formatDurationMs(facts.durationMs));
  if (facts.outcome !== "done" && facts.outcome !== "refused") parts.push(facts.outcome);
  return parts.join(" ");
}
