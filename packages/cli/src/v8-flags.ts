// V8 settings for a node that moves bulk bytes, applied before anything else runs.
// Every socket read is a fresh ArrayBuffer whose memory lives outside the V8 heap; by default V8
// forces a full mark-compact each time ~64 MiB of such memory has been allocated since the last one,
// which made the garbage collector 15-18% of a node's CPU in a bulk transfer (~16 full GCs per GiB).
// Counting external memory in the global heap limit instead lets the cheap young-generation GCs
// free those buffers: 5-8 full GCs per GiB, CPU s/GB 4.3-5.9 -> 3.5-4.6 (docs/benchmarks.md).
import v8 from "node:v8";

v8.setFlagsFromString("--external-memory-accounted-in-global-limit");
