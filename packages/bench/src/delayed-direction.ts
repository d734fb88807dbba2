// One direction of one connection through the delay line: bytes read from `from` wait for the
// bottleneck link, then travel the one-way delay, then are written to `to`. At most `boundBytes`
// are held (waiting plus travelling): past that `from` is paused, so a full pipe pushes back.
import type net from "node:net";
import type { BottleneckLink, LinkQueue } from "./bottleneck-link.ts";

/** What a direction needs from its delay line. */
export type DirectionPath = {
  readonly link: BottleneckLink;
  readonly oneWayDelayMs: number;
  readonly boundBytes: number;
  /** Asks the line to serve the link now (a chunk arrived or a hold ended). */
  readonly kick: () => void;
  /** Told each time the bound pauses the sender. */
  readonly pushedBack: () => void;
};

type Travelling = { readonly chunk: Buffer; readonly arrivesAt: number };

/** Bytes from `from` to `to`, delayed. */
export class DelayedDirection implements LinkQueue {
  readonly waiting: Buffer[] = [];
  heldUntil = 0;
  readonly #from: net.Socket;
  readonly #to: net.Socket;
  readonly #path: DirectionPath;
  readonly #travelling: Travelling[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #blocked = false;
  #ended = false;
  /** Bytes read from `from` and not yet written to `to`. */
  heldBytes = 0;
  /** The most ever held at once: stays within boundBytes plus one read. */
  maxHeldBytes = 0;

  constructor(from: net.Socket, to: net.Socket, path: DirectionPath) {
    this.#from = from;
    this.#to = to;
    this.#path = path;
    path.link.attach(this);
    from.on("data", (chunk: Buffer) => {
      this.waiting.push(chunk);
      this.heldBytes += chunk.length;
      this.maxHeldBytes = Math.max(this.maxHeldBytes, this.heldBytes);
      if (this.heldBytes >= path.boundBytes && !from.isPaused()) {
        from.pause();
        path.pushedBack();
      }
      path.kick();
    });
    from.once("end", () => {
      this.#ended = true;
      this.#finishIfDone();
    });
    to.on("drain", () => {
      this.#blocked = false;
      this.#deliver();
    });
  }

  /** A chunk left the link at `sentAt`: it arrives one delay later. */
  departed(chunk: Buffer, sentAt: number): void {
    this.#travelling.push({ chunk, arrivesAt: sentAt + this.#path.oneWayDelayMs });
    this.#schedule();
  }

  /** Freezes this direction until `until` (ms): nothing leaves and nothing arrives, as while TCP recovers a loss. */
  hold(until: number): void {
    this.heldUntil = Math.max(this.heldUntil, until);
    this.#schedule();
    this.#path.kick(); // the link learns when this queue may send again
  }

  /** Stops serving: the connection is gone. */
  detach(): void {
    clearTimeout(this.#timer);
    this.#path.link.detach(this);
  }

  #schedule(): void {
    const head = this.#travelling[0];
    if (head === undefined || this.#blocked) return;
    const at = Math.max(head.arrivesAt, this.heldUntil);
    if (at === this.#timerAt) return; // already set for it (each departure asks again)
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timerAt = Infinity;
      this.#deliver();
    }, Math.max(0, at - performance.now()));
  }

  #deliver(): void {
    const now = performance.now();
    while (!this.#blocked && now >= this.heldUntil) {
      const head = this.#travelling[0];
      if (head === undefined || head.arrivesAt > now) break;
      this.#travelling.shift();
      this.heldBytes -= head.chunk.length;
      if (this.#to.destroyed) return;
      if (!this.#to.write(head.chunk)) this.#blocked = true;
    }
    if (this.heldBytes < this.#path.boundBytes && this.#from.isPaused() && !this.#from.destroyed) this.#from.resume();
    this.#finishIfDone();
    this.#schedule();
  }

  #finishIfDone(): void {
    if (this.#ended && this.heldBytes === 0 && !this.#to.destroyed && !this.#to.writableEnded) this.#to.end();
  }
}
