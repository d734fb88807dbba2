// Frees the buffers that moving bytes leaves behind with a young-generation collection, before V8
// reaches for a full one. Every socket read is a fresh off-heap buffer that only a collection frees;
// a tunnel moving bulk bytes allocates almost nothing on the JS heap, so the cheap young-generation
// collection never triggers, and V8 instead ran a full mark-compact every ~64 MiB of reads (12-17
// per GiB per node, with concurrent marking on other threads). One young-generation collection per
// RECLAIM_EVERY_BYTES read frees the same buffers in well under a millisecond (packages/bench/ANALYSIS.md).
// V8 starts a full one once the heap plus this memory passes its global limit, which was as little as
// ~12-24 MiB above a small heap's size after a burst of tunnels: 32 MiB was too late there, 8 is not.

/** Bytes read between two young-generation collections (the most dead buffer memory held). */
export const RECLAIM_EVERY_BYTES = 8 * 1024 * 1024;

let collectYoung: (() => void) | undefined;
let readSinceCollection = 0;

/**
 * Hands over V8's young-generation collection (the runtime obtains it: V8 exposes it only when asked at
 * start); `undefined` turns reclaiming off.
 */
export function reclaimReadBuffersWith(collect: (() => void) | undefined): void {
  collectYoung = collect;
  readSinceCollection = 0;
}

/** Counts bytes a tunnel read; runs the collection each time RECLAIM_EVERY_BYTES have been read. */
export function noteBytesRead(bytes: number): void {
  if (collectYoung === undefined) return;
  readSinceCollection += bytes;
  if (readSinceCollection < RECLAIM_EVERY_BYTES) return;
  readSinceCollection = 0;
  collectYoung();
}
