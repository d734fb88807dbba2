// A few TLS connections to one peer, handshaken ahead of need, so a new tunnel pays only the round
// trip of its CONNECT. Bounded (`size`), refilled in the background after each take,
// with backoff while the peer cannot be reached.
//
// Idle pooled connections and the peer: a pooled connection has sent nothing yet, so the peer
// counts its idle time against its `limits.headTimeoutMs` (default 10 s) and answers 408 after it:
// it cannot tell a warm connection from a slow client, and it should not have to (that limit is
// its slowloris defence). So the pool closes each connection after `maxIdleMs`, which must be
// shorter than the peer's headTimeoutMs (the default, 4 s, leaves a wide margin for clock and
// transit); and a pooled connection that receives anything (a 408) or closes is dropped at once.
import type { Logger } from "pino";
import type { TlsConnection } from "@tlsbridge/transport";
import { logEvent } from "@tlsbridge/transport";

/** Per-peer pool settings (`pool:` in the ingress config). */
export type PoolOptions = {
  /** Connections kept handshaken and waiting; 0 turns the pool off. */
  readonly size: number;
  /** A pooled connection is closed after this long unused; keep below the peer's headTimeoutMs. */
  readonly maxIdleMs: number;
};

type Parked = {
  readonly connection: TlsConnection;
  readonly timer: NodeJS.Timeout;
  readonly detach: () => void;
};

const MAX_BACKOFF_MS = 30_000;

/** The warm connections to one peer. */
export class PeerPool {
  readonly #dial: () => Promise<TlsConnection>;
  readonly #options: PoolOptions;
  readonly #log: Logger;
  readonly #idle: Parked[] = [];
  #dialing = 0;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  /** Tunnels that found a warm connection / found the pool empty. */
  hits = 0;
  misses = 0;

  constructor(dial: () => Promise<TlsConnection>, options: PoolOptions, log: Logger) {
    this.#dial = dial;
    this.#options = options;
    this.#log = log;
  }

  /** Starts filling the pool. */
  start(): void {
    this.#fill();
  }

  /** A warm connection, oldest first (it would expire first), or undefined when none is ready. */
  take(): TlsConnection | undefined {
    const parked = this.#idle.shift();
    if (parked === undefined) {
      this.misses += 1;
      this.#fill();
      return undefined;
    }
    clearTimeout(parked.timer);
    parked.detach();
    this.#failures = 0;
    this.hits += 1;
    this.#fill();
    return parked.connection;
  }

  /** Connections ready now. */
  get idle(): number {
    return this.#idle.length;
  }

  /** Closes the waiting connections and stops refilling. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const parked of this.#idle.splice(0)) {
      clearTimeout(parked.timer);
      parked.detach();
      parked.connection.socket.destroy();
    }
  }

  #fill(): void {
    while (!this.#closed && this.#retry === undefined && this.#idle.length + this.#dialing < this.#options.size) {
      this.#dialing += 1;
      this.#dial().then(
        (connection) => {
          this.#dialing -= 1;
          if (this.#closed) connection.socket.destroy();
          else this.#park(connection);
        },
        (err: unknown) => {
          this.#dialing -= 1;
          this.#backOff(err);
        },
      );
    }
  }

  /**
   * One more failure in a row: the next dial waits 500 ms, doubling up to MAX_BACKOFF_MS. Counted
   * until a warm connection proves good (taken by a tunnel or kept its whole idle time), not when a
   * handshake completes: a peer that refuses our certificate closes right after a successful one.
   */
  #backOff(err: unknown): void {
    this.#failures += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.#failures, 10));
    logEvent(this.#log, "debug", "peer.pool.dial.failed", { err, retryInMs: delay }, "warm connection to the peer failed");
    if (this.#retry === undefined && !this.#closed) {
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#fill();
      }, delay);
      this.#retry.unref();
    }
  }

  #park(connection: TlsConnection): void {
    const { socket } = connection;
    const remove = (): void => {
      const at = this.#idle.findIndex((p) => p.connection === connection);
      if (at >= 0) {
        const [parked] = this.#idle.splice(at, 1);
        if (parked !== undefined) {
          clearTimeout(parked.timer);
          parked.detach();
        }
      }
      socket.destroy();
    };
    // Flowing, so the peer's session tickets are read (they arrive after the handshake); any data
    // or close means the peer gave up on this connection (408 after its head timeout, or its answer
    // to a certificate it refused): a failure, refilled after a backoff, not at once (issue 9: a
    // refusing peer was redialed some 400 times a second).
    const drop = (): void => {
      remove();
      this.#backOff(new Error("the peer closed or answered a warm connection before it was used"));
    };
    socket.on("data", drop);
    socket.on("end", drop);
    socket.on("close", drop);
    socket.on("error", drop);
    // Kept its whole idle time: the peer is fine with us; replaced at once.
    const timer = setTimeout(() => {
      remove();
      this.#failures = 0;
      this.#fill();
    }, this.#options.maxIdleMs);
    timer.unref();
    const detach = (): void => {
      socket.off("data", drop);
      socket.off("end", drop);
      socket.off("close", drop);
      socket.off("error", drop);
      socket.pause();
    };
    this.#idle.push({ connection, timer, detach });
  }
}
