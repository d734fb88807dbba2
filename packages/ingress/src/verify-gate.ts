// A cap on password verifications running at once (issue: failed logins were unthrottled). scrypt
// runs on libuv's 4-thread pool, which DNS lookups and file reads share: at most `maxRunning`
// checks use it at once, a few more wait in turn, and beyond that a check is refused at once (the
// client gets 503 with Retry-After) instead of queueing without bound.

/** 2 running (half the default pool), 32 waiting. */
export const VERIFY_GATE_DEFAULTS = { maxRunning: 2, maxWaiting: 32 } as const;

/** Runs async tasks at most `maxRunning` at a time, with at most `maxWaiting` queued. */
export class VerifyGate {
  readonly #maxRunning: number;
  readonly #maxWaiting: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(options: { readonly maxRunning?: number; readonly maxWaiting?: number } = {}) {
    this.#maxRunning = options.maxRunning ?? VERIFY_GATE_DEFAULTS.maxRunning;
    this.#maxWaiting = options.maxWaiting ?? VERIFY_GATE_DEFAULTS.maxWaiting;
  }

  /** Runs `task` when a slot is free; undefined (not run) when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.#running >= this.#maxRunning && this.#waiting.length >= this.#maxWaiting) return undefined;
    const start = async (): Promise<T> => {
      try {
        return await task();
      } finally {
        const next = this.#waiting.shift();
        if (next === undefined) this.#running--;
        else next(); // the slot passes straight to the next waiter
      }
    };
    if (this.#running < this.#maxRunning) {
      this.#running++;
      return start();
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(start);
  }

  /** Tasks running and waiting (tests). */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }
}
