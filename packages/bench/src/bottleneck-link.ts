// One direction of the WAN's bottleneck link: chunks waiting to leave are served round-robin across
// the connections that share it (a fair queue, as fq_codel does), each taking len/rate seconds of the
// link. Without a rate every chunk leaves on arrival. Pure bookkeeping: the caller owns the timers.

/** A connection's queue of chunks waiting for the link. */
export type LinkQueue = {
  /** Chunks that arrived and have not left yet, oldest first. */
  readonly waiting: Buffer[];
  /** The queue may not send before this time (ms, performance.now()); a stalled connection. */
  readonly heldUntil: number;
  /** Told of each chunk that left, with the time its last byte is on the wire (ms). */
  departed(chunk: Buffer, sentAt: number): void;
};

/** Fair-queued departures at `bytesPerSec` (undefined: unlimited). */
export class BottleneckLink {
  readonly #bytesPerMs: number | undefined;
  readonly #queues: LinkQueue[] = [];
  #next = 0;
  /** When the link finishes sending what it already took (ms). */
  #freeAt = 0;

  constructor(bytesPerSec: number | undefined) {
    this.#bytesPerMs = bytesPerSec === undefined ? undefined : bytesPerSec / 1000;
  }

  /** Starts serving `queue` (a new connection's direction). */
  attach(queue: LinkQueue): void {
    this.#queues.push(queue);
  }

  /** Stops serving `queue`. */
  detach(queue: LinkQueue): void {
    const at = this.#queues.indexOf(queue);
    if (at < 0) return;
    this.#queues.splice(at, 1);
    if (this.#next > at) this.#next -= 1;
  }

  /**
   * Takes chunks off the queues, round-robin, while the link would start sending them before
   * `now + aheadMs`, and tells each queue what left. Returns the time worth calling again (the
   * link frees up, or a held queue is released), or undefined when nothing waits.
   */
  serve(now: number, aheadMs: number): number | undefined {
    for (;;) {
      const start = Math.max(now, this.#freeAt);
      if (start > now + aheadMs) return start - aheadMs;
      const queue = this.#pick(now);
      if (queue === undefined) return this.#nextRelease(now);
      const chunk = queue.waiting.shift() as Buffer;
      const sentAt = this.#bytesPerMs === undefined ? now : start + chunk.length / this.#bytesPerMs;
      if (this.#bytesPerMs !== undefined) this.#freeAt = sentAt;
      queue.departed(chunk, sentAt);
    }
  }

  #pick(now: number): LinkQueue | undefined {
    for (let i = 0; i < this.#queues.length; i++) {
      const at = (this.#next + i) % this.#queues.length;
      const queue = this.#queues[at] as LinkQueue;
      if (queue.waiting.length > 0 && queue.heldUntil <= now) {
        this.#next = (at + 1) % this.#queues.length;
        return queue;
      }
    }
    return undefined;
  }

  #nextRelease(now: number): number | undefined {
    let soonest: number | undefined;
    for (const q of this.#queues) {
      if (q.waiting.length > 0 && q.heldUntil > now) soonest = Math.min(soonest ?? Infinity, q.heldUntil);
    }
    return soonest;
  }
}
