// Writes docs/benchmarks.md: the machine, the commands, the method and the results of the last
// full run, replacing the previous file (older raw results stay in bench-results/).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MachineInfo } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import { existingWanSection } from "./wan-docs.ts";

/** Everything the document needs besides the rendered results. */
export type DocInput = {
  path: string;
  machine: MachineInfo;
  options: BenchOptions;
  command: string;
  startedAt: string;
  durationSec: number;
  resultsFile: string;
  results: string;
  notes: readonly string[];
  descriptions: ReadonlyMap<string, string>;
};

/** Renders and writes the document. */
export function writeBenchmarksDoc(d: DocInput): void {
  const m = d.machine;
  const o = d.options;
  const tools = Object.entries(m.tools).map(([k, v]) => `- ${k}: ${v}`).join("\n");
  const systems = [...d.descriptions].map(([k, v]) => `- **${k}**: ${v}`).join("\n");
  const text = `# Benchmarks

Written by \`npm run bench\` (packages/bench); do not edit by hand, run it again.
The machines are shared and noisy: **quote ratios between systems measured in the same run, not the
absolute figures.**

## Machine
- ${m.nproc} cores: ${m.cpuModel}, ${m.memGiB} GiB memory
- kernel: ${m.kernel}
- node ${m.node} (OpenSSL ${m.openssl})
${tools}

## Commands
\`\`\`sh
${d.command}    # this run
npm run bench -- --quick    # smoke run: 1 round, small sizes, does not write this file
npm run bench -- --only squid,tlsbridge --scenario rate --rounds 5
npm run bench -- --help
\`\`\`
This run: started ${d.startedAt}, took ${Math.round(d.durationSec)} s; ${o.rounds} rounds, ${o.mib} MiB each way,
${o.hold} idle tunnels, ${o.rateSeconds} s per rate run. Raw JSON lines: \`${d.resultsFile}\` (not committed).

## Systems
${systems}

All of them run on loopback. The TLS systems share one EC P-256 CA, a server certificate (for
\`localhost\`) and a client certificate, made with the openssl CLI for the run; both hops verify, and
the server side requires the client certificate. stunnel and squid link Debian's OpenSSL 3.0 (key
exchange X25519); tlsbridge uses Node's OpenSSL ${m.openssl} and, by default, the hybrid X25519MLKEM768,
which costs more per handshake.

## Method
- **Load generator**: one Node process (packages/bench) opens tunnels; the echo, sink and source
  services run in a second Node process, so neither counts as the system under test. To systems that
  speak CONNECT it sends \`CONNECT 127.0.0.1:<port> HTTP/1.1\` and waits for \`200\`; relays (socat,
  stunnel) get no CONNECT: they have one listening port per service.
- **Rounds**: each round starts every system afresh, runs all scenarios against it and stops it, then the
  next system; the order of systems rotates every round. Within a round the order is hold, rate, throughput,
  so memory is measured on a freshly started system. Tables show the **median over rounds** of each
  figure; percentiles are computed within a round (nearest rank) and then the median taken. The targets
  table also gives each figure's lowest and highest round (a ratio taken within each round), to show how
  far one run's rounds disagree.
- **rate**: per tunnel: TCP connect, CONNECT, read 200, write 32 bytes, read the 32-byte echo, close.
  Run with 1 and with 64 tunnels in flight for ${o.rateSeconds} s each (after 5 warm-up tunnels).
  *tunnels/s* counts completed tunnels; *CONNECT→200* runs from the start of the TCP connect to the
  proxy's 200 (CONNECT systems only); *first echo* runs from the start of the TCP connect to the echo
  coming back, comparable across all systems, relays included.
- **throughput**: one tunnel sends ${o.mib} MiB to the sink, which answers with the count it received
  (checked); another tunnel asks the source for ${o.mib} MiB and counts them (checked). MB/s is 10^6 bytes
  per second, timed from the first byte written to the last byte (or the sink's answer) received.
- **hold**: after a warm-up batch of 32 tunnels opened and closed, ${o.hold} tunnels opened (32 at a time,
  each proven with an echo) and left idle; the **PSS**
  (/proc/<pid>/smaps_rollup, which splits shared pages fairly) of the system's whole process tree is
  compared with its value just before; the difference divided by the tunnels is *KiB/idle tunnel*.
- **CPU**: utime+stime (plus cutime+cstime of reaped children: socat forks per connection) of the
  system's process tree from /proc/<pid>/stat, sampled before and after; *CPU s/GB* divides the CPU of
  the throughput scenario by the bytes moved both ways, *CPU ms/tunnel* the CPU of the c64 rate run by its
  tunnels. \`direct\` has no process of its own, so it has no CPU or memory figures.
- The generator, the services and the system under test share the ${m.nproc} cores; \`direct\` shows
  what the generator and services alone reach on this machine, and socat what a hop with no TLS costs.
- Every system runs with its defaults apart from what the table above says (stunnel and squid keep their
  TLS session caches, as they do out of the box); each is stopped and started again between rounds.
- Every wait is bounded (10 s per tunnel step, throughput fails below 2 MB/s); a system that fails to
  start or a scenario that fails is recorded as an error line and left out of the medians.

## Results
${d.results}
${d.notes.length > 0 ? `## Notes from this run\n${d.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;
  // The hand-written part (what the numbers mean, profile findings, targets not met and why) lives
  // in packages/bench/ANALYSIS.md and is carried into every regenerated document.
  const analysis = fileURLToPath(new URL("../ANALYSIS.md", import.meta.url));
  const wan = existingWanSection(d.path); // the WAN run's section stays until that run is made again
  const body = existsSync(analysis) ? `${text}\n${readFileSync(analysis, "utf8")}` : text;
  writeFileSync(d.path, wan === "" ? body : `${body.trimEnd()}\n\n${wan}\n`);
}
