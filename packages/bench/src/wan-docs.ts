// The WAN section of docs/benchmarks.md: written by `npm run bench -- --wan` between two markers,
// and carried over unchanged when the loopback run rewrites the rest of the file.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MachineInfo } from "./machine.ts";
import { parallelMibEach } from "./scenario-wan.ts";
import { wanBoundBytes } from "./wan-path.ts";
import type { WanParameters } from "./wan-path.ts";

const BEGIN = "<!-- wan run: written by `npm run bench -- --wan` -->";
const END = "<!-- end of wan run -->";

/** What the section needs besides the rendered results. */
export type WanDocInput = {
  path: string;
  machine: MachineInfo;
  parameters: WanParameters;
  command: string;
  startedAt: string;
  durationSec: number;
  rounds: number;
  mib: number;
  rateSeconds: number;
  resultsFile: string;
  /** True when the far node ran in a network namespace of its own (wan-namespaces.ts). */
  farNamespace: boolean;
  results: string;
  notes: readonly string[];
};

/**
 * The hand-written reading of the WAN figures (which targets are met, why not, what would) lives in
 * packages/bench/WAN-ANALYSIS.md and is carried into every regenerated section.
 */
function analysis(): string {
  const file = fileURLToPath(new URL("../WAN-ANALYSIS.md", import.meta.url));
  return existsSync(file) ? `\n${readFileSync(file, "utf8").trimEnd()}\n` : "";
}

const NAMESPACES = `- The two nodes run in two network namespaces (packages/bench/src/wan-namespaces.ts): the generator, the ingress
  (client stunnel, ingress squid) and the delay lines in one, the peer (server stunnel, peer squid) and the services in
  the other, joined by one veth link (MTU 1500) that only the delay lines cross. Each node has its own TCP stack,
  socket buffers and loopback; the link itself adds microseconds.`;
const ONE_LOOPBACK = "- The nodes run in the same network namespace (this run had no root or no `ip netns`); the relay is what separates them.";

/** The WAN section of the document at `path` (markers included), or "" when it has none. */
export function existingWanSection(path: string): string {
  if (!existsSync(path)) return "";
  const text = readFileSync(path, "utf8");
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  return from >= 0 && to > from ? text.slice(from, to + END.length) : "";
}

/** Writes the section into the document, replacing the previous one or appending it. */
export function writeWanSection(d: WanDocInput): void {
  const p = d.parameters;
  const section = `${BEGIN}
## Across a WAN (delay line between the nodes)

\`\`\`sh
${d.command}    # this run
npm run bench -- --wan --quick    # smoke run: 1 round, small sizes, does not write this file
\`\`\`
This run: started ${d.startedAt}, took ${Math.round(d.durationSec)} s; ${d.rounds} rounds; ${d.machine.nproc} cores, node ${d.machine.node}.
Raw JSON lines: \`${d.resultsFile}\` (not committed).

**The path**: ${p.rttMs} ms round trip (${p.rttMs / 2} ms each way), ${p.bitsPerSec / 1e6} Mbit/s each way shared by
all connections of a system, at most ${(wanBoundBytes(p) / 1024 / 1024).toFixed(2)} MiB (one bandwidth-delay product) in flight per
connection and direction; stalls (last measurement only): every ${p.stall.everyMs} ms one connection, in turn, is frozen for
${p.stall.forMs} ms.

**How**: this kernel has no \`netem\`, so the path is a user-space relay (packages/bench/src/delay-line.ts), one process per
hop between a system's two nodes (ingress → peer for tlsbridge and squid, client stunnel → server stunnel;
\`direct\` is one plain TCP connection from the generator to the service across the same path, the baseline). Each chunk
waits for the link (round-robin between connections, a fair queue, at the rate), then travels the one-way delay; a
connection holding its bound stops being read, so a full pipe pushes back on the sender; a new connection's first
bytes wait one more round trip, the TCP handshake's.
- *Models*: round trips (TCP connect, TLS handshake, CONNECT, HTTP/2 WINDOW_UPDATE all pay them), application-level
  flow control against the bandwidth-delay product (an HTTP/2 window smaller than rate × RTT caps a tunnel), a shared
  rate, and one TCP connection stalling as it does while it recovers a lost segment (everything on it waits).
- *Does not model*: TCP's own loss recovery, congestion control and window growth (the kernel's TCP on either side
  of the relay, loopback or the veth link, sees no loss and microsecond round trips), jitter, or reordering. The socket
  buffers on either side of the relay add queueing a real path would not have (up to a few MiB per connection). Tunnels in mode h1
  each have a TCP connection of their own, as they would on a real WAN.
${d.farNamespace ? NAMESPACES : ONE_LOOPBACK}

**Measured per system and round**: *CONNECT→200* of one tunnel at a time for ${d.rateSeconds} s (after 5 warm-up tunnels;
relays have none, their *first echo* is comparable), divided by the RTT; *1 tunnel up/down*: ${d.mib} MiB each way
through one tunnel (as in the loopback throughput scenario); *32 tunnels*: 32 tunnels download ${parallelMibEach(d.mib)} MiB each at once,
total MB/s; *echo beside bulk*: with stalls on, four tunnels download without end while a fifth sends a 32-byte echo,
waits for it and sends the next, for 10 s: the echo's p50 and p99 (the head-of-line cost) and what the four moved.

### Results
${d.results}
${d.notes.length > 0 ? `Notes from this run:\n${d.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}${analysis()}${END}`;
  const old = existsSync(d.path) ? readFileSync(d.path, "utf8") : "";
  const previous = existingWanSection(d.path);
  writeFileSync(d.path, previous !== "" ? old.replace(previous, section) : `${old.trimEnd()}\n\n${section}\n`);
}
