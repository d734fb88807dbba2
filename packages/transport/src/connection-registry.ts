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

  /** Waits until every connection has ended or `graceMs` passed, then aborts the rest. */
  async drain(graceMs: number): Promise<void> {
    if (this.#live.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#emptied.push(resolve);
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    for (const connection of [...this.#live]) connection.abort();
  }
}
