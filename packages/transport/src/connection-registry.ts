// Keeps every live connection of a node, so shutdown can stop accepting, give open tunnels a
// grace period, and then close whatever is left.

/** Something that can be ended on shutdown. */
export type Closable = {
  /** Ends it now. */
  readonly abort: () => void;
};

/** The live connections of one node. */
export class ConnectionRegistry {
  readonly #live = new Set<Closable>();
  #emptied: Array<() => void> = [];

  /** Number of live connections. */
  get size(): number {
    return this.#live.size;
  }

  /** Registers a connection; call the returned function when it is over. */
  add(connection: Closable): () => void {
    this.#live.add(connection);
    return () => {
      this.#live.delete(connection);
      if (this.#live.size === 0) {
        for (const wake of this.#emptied.splice(0)) wake();
      }
    };
  }

  /**
   * Waits until every connection has ended or `graceMs` passed, then aborts the rest and waits (up
   * to `settleMs`) for them to unregister, so their `tunnel.close` lines are written before the
   * caller exits the process.
   */
  async drain(graceMs: number, settleMs = 2_000): Promise<void> {
    await this.#untilEmpty(graceMs);
    for (const connection of [...this.#live]) connection.abort();
    await this.#untilEmpty(settleMs);
  }

  async #untilEmpty(timeoutMs: number): Promise<void> {
    if (this.#live.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#emptied.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }
}
