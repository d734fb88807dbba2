// A WAN in user space (this kernel has no netem): a TCP relay on loopback that holds every chunk for
// a fixed one-way delay in each direction, shares an optional rate limit between its connections,
// bounds what one connection may have in flight (about one bandwidth-delay product, so a full pipe
// pushes back), and can freeze one connection now and then as TCP does while it recovers a loss.
//
//   client ──▶ [ wait for the link (fair queue, rate) ─▶ one-way delay ] ──▶ target
//          ◀── [ one-way delay ◀─ wait for the link                    ] ◀──
// A new connection's first bytes wait one round trip more: the TCP handshake across the WAN.
import net from "node:net";
import { BottleneckLink } from "./bottleneck-link.ts";
import { DelayedDirection } from "./delayed-direction.ts";
import type { DirectionPath } from "./delayed-direction.ts";

/** The path a delay line models. */
export type DelayLineOptions = {
  /** Where every accepted connection is relayed to (loopback). */
  readonly target: { readonly host: string; readonly port: number };
  /** Held in each direction: the round-trip time is twice this. */
  readonly oneWayDelayMs: number;
  /** Shared by all connections, per direction; unlimited when absent. */
  readonly bytesPerSec?: number;
  /** Held per connection and direction before the sender is paused; default one BDP (rate × RTT), or 8 MiB without a rate. */
  readonly boundBytes?: number;
};

/** Bytes in flight per direction when nothing is said: one bandwidth-delay product. */
export function defaultBoundBytes(o: Pick<DelayLineOptions, "oneWayDelayMs" | "bytesPerSec">): number {
  // At least one socket read, or a line without delay could never take a byte.
  return o.bytesPerSec === undefined ? 8 * 1024 * 1024 : Math.max(64 * 1024, Math.ceil(o.bytesPerSec * (2 * o.oneWayDelayMs) / 1000));
}

/**
 * How far ahead the link hands out departures. Send times stay exact (delivery is timed from them);
 * serving ahead only spares a timer per chunk, which Node fires a millisecond late at best, and at a
 * gigabit a millisecond is 125 KB: with 1 ms the line reached a third of its rate.
 */
const SERVE_AHEAD_MS = 10;

type Relayed = { readonly up: DelayedDirection; readonly down: DelayedDirection; readonly sockets: readonly net.Socket[] };

/** A listening delay line. */
export class DelayLine {
  readonly #options: DelayLineOptions;
  readonly #server: net.Server;
  readonly #up: BottleneckLink;
  readonly #down: BottleneckLink;
  readonly #connections: Relayed[] = [];
  #pumpTimer: NodeJS.Timeout | undefined;
  #pumpAt = Infinity;
  #stallTimer: NodeJS.Timeout | undefined;
  #nextStall = 0;
  /** Connections stalled so far. */
  stalls = 0;
  #closedMaxHeld = 0;
  /** Times a full pipe paused a sender. */
  pushBacks = 0;
  /** Called on each push-back (tests wait for it). */
  onPushBack: (() => void) | undefined;

  constructor(options: DelayLineOptions) {
    this.#options = options;
    this.#up = new BottleneckLink(options.bytesPerSec);
    this.#down = new BottleneckLink(options.bytesPerSec);
    this.#server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.#relay(client));
  }

  /** Listens on 127.0.0.1 (port 0: any) and resolves with the port. */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen({ host: "127.0.0.1", port, backlog: 4096 }, () => resolve((this.#server.address() as net.AddressInfo).port));
    });
  }

  /** The most bytes one direction of one connection ever held (the bound plus at most one read). */
  get maxHeldBytes(): number {
    return Math.max(this.#closedMaxHeld, ...this.#connections.flatMap((c) => [c.up.maxHeldBytes, c.down.maxHeldBytes]));
  }

  /** Connections open now. */
  get connections(): number {
    return this.#connections.length;
  }

  /** Freezes one connection (the next in turn) for `forMs`, both directions. */
  stallOne(forMs: number): void {
    if (this.#connections.length === 0) return;
    const relayed = this.#connections[this.#nextStall % this.#connections.length] as Relayed;
    this.#nextStall += 1;
    this.stalls += 1;
    const until = performance.now() + forMs;
    relayed.up.hold(until);
    relayed.down.hold(until);
  }

  /** Every `everyMs`, freezes one connection for `forMs` (round-robin); `undefined` stops it. */
  stallEvery(every: { everyMs: number; forMs: number } | undefined): void {
    clearInterval(this.#stallTimer);
    this.#stallTimer = every === undefined ? undefined : setInterval(() => this.stallOne(every.forMs), every.everyMs);
  }

  /** Stops listening and cuts every connection. */
  close(): Promise<void> {
    this.stallEvery(undefined);
    clearTimeout(this.#pumpTimer);
    for (const c of [...this.#connections]) for (const s of c.sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: net.Socket): void {
    client.pause();
    const o = this.#options;
    const target = net.connect({ host: o.target.host, port: o.target.port, allowHalfOpen: true, noDelay: true });
    const boundBytes = o.boundBytes ?? defaultBoundBytes(o);
    const path = (link: BottleneckLink): DirectionPath => ({ link, oneWayDelayMs: o.oneWayDelayMs, boundBytes, kick: () => this.#pump(),
      pushedBack: () => {
        this.pushBacks += 1;
        this.onPushBack?.();
      },
    });
    const relayed: Relayed = {
      up: new DelayedDirection(client, target, path(this.#up)),
      down: new DelayedDirection(target, client, path(this.#down)),
      sockets: [client, target],
    };
    this.#connections.push(relayed);
    // The relay accepts on loopback at once, but across a WAN the TCP handshake (SYN, SYN-ACK) costs
    // a round trip before either side's first byte can leave: hold both directions for it.
    const established = performance.now() + 2 * o.oneWayDelayMs;
    relayed.up.hold(established);
    relayed.down.hold(established);
    target.once("connect", () => client.resume());
    let gone = false;
    const cut = (err?: Error): void => {
      if (gone) return;
      gone = true;
      relayed.up.detach();
      relayed.down.detach();
      this.#closedMaxHeld = Math.max(this.#closedMaxHeld, relayed.up.maxHeldBytes, relayed.down.maxHeldBytes);
      this.#connections.splice(this.#connections.indexOf(relayed), 1);
      // A reset on one side is a reset on the other; a clean close was already passed on as end().
      for (const s of relayed.sockets) {
        if (err !== undefined && !s.destroyed) s.resetAndDestroy();
        else s.destroy();
      }
    };
    for (const s of relayed.sockets) {
      s.on("error", (err) => cut(err));
      s.once("close", () => {
        // Both ends finished cleanly (ends passed on both ways): nothing left to relay.
        if (s === client ? target.destroyed || target.writableFinished : client.destroyed || client.writableFinished) cut();
      });
    }
  }

  /** Serves both links now and sets one timer for the soonest time either wants serving again. */
  #pump(): void {
    const now = performance.now();
    let again = Infinity;
    for (const link of [this.#up, this.#down]) {
      again = Math.min(again, link.serve(now, SERVE_AHEAD_MS) ?? Infinity);
    }
    if (again === Infinity || again >= this.#pumpAt) return;
    clearTimeout(this.#pumpTimer);
    this.#pumpAt = again;
    this.#pumpTimer = setTimeout(() => {
      this.#pumpAt = Infinity;
      this.#pump();
    }, Math.max(0, again - now));
  }

}
