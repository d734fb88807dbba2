// V8 settings for a node that moves bulk bytes, applied before anything else runs.
// Every socket read is a fresh ArrayBuffer whose memory lives outside the V8 heap; by default V8
// forces a full mark-compact each time ~64 MiB of such memory has been allocated since the last one,
// which made the garbage collector 15-18% of a node's CPU in a bulk transfer (~16 full GCs per GiB).
// Counting external memory in the global heap limit instead lets the cheap young-generation GCs
// free those buffers: 5-8 full GCs per GiB, CPU s/GB 4.3-5.9 -> 3.5-4.6 (docs/benchmarks.md).
//
// The young generation otherwise grows (up to 16 MiB per semi-space) while a burst of tunnels opens,
// and stays that size: in the hold benchmark that was most of the memory per idle tunnel (live JS is
// ~10 KiB per tunnel per node). Not letting it grow took an idle h2 tunnel from 55 to 24.5 KiB and an
// h1 tunnel from 160 to 131 KiB over both nodes; bulk CPU s/GB and tunnel rate stayed within the
// noise of A/B runs (packages/bench/ANALYSIS.md, round 4). This one took effect only set here, at run
// time (passed on the command line it changed nothing in the same probe).
//
// Even so, a bulk transfer still ran a full GC every ~64 MiB read: its JS heap barely grows, so no
// young-generation GC comes to free the read buffers. `--expose-gc` gives us V8's collection
// function (in a fresh context: the flag only applies to contexts made after it), and the
// transport runs a young-generation one per 8 MiB read (read-buffer-reclaim.ts): full GCs per GiB
// 12-17 -> 1, CPU s/GB about 0.78x in A/B runs (packages/bench/ANALYSIS.md, round 5).
import v8 from "node:v8";
import { runInNewContext } from "node:vm";

v8.setFlagsFromString("--external-memory-accounted-in-global-limit");
v8.setFlagsFromString("--semi-space-growth-factor=1");
v8.setFlagsFromString("--expose-gc");

const collect = runInNewContext("gc") as (options: { type: "minor" | "major" }) => void;

/** Runs V8's young-generation (minor) collection now. */
export function collectYoungGeneration(): void {
  collect({ type: "minor" });
}

/** Runs V8's full (major) collection now. */
export function collectFullGarbage(): void {
  collect({ type: "major" });
}
