// TLS 1.3 session tickets from one peer, so the next connection to it resumes (RFC 8446 §2.2):
// the peer then skips its certificate signature and we skip verifying its chain (the key exchange,
// ML-KEM hybrid included, still runs: psk_dhe_ke). The newest ticket is offered to every new
// connection until a newer one arrives or it ages out, well before the peer's ticket lifetime
// (Node's default `sessionTimeout`: 300 s). RFC 8446 §C.4 advises single use against linking a
// client's connections; between two nodes that already identify each other by certificate there is
// nothing to hide, and single use ran dry under bursts (resumed handshakes bring fewer tickets).
//
// Some peers issue tickets they then refuse: squid 5.7 on an `https_port` with `clientca=` answers
// a resumption with a fatal internal_error alert instead of falling back to a full handshake
// (issue 9). After one such refusal the cache holds no tickets for that peer and offers none for
// SESSION_MAX_AGE_MS, so every dial in between is one full handshake rather than a refused one
// plus a retry; then resumption is tried again, in case the peer was replaced or fixed.

/** How long a ticket is offered after it arrived. */
export const SESSION_MAX_AGE_MS = 240_000;
/** Tickets kept per peer. */
export const SESSION_CACHE_SIZE = 4;

/** A bounded stack of session tickets for one peer. */
export class SessionCache {
  readonly #tickets: Array<{ readonly ticket: Buffer; readonly at: number }> = [];
  readonly #maxAgeMs: number;
  readonly #size: number;
  /** Until then, no ticket is kept or offered: the peer refused a resumption. */
  #refusedUntil = 0;

  constructor(size = SESSION_CACHE_SIZE, maxAgeMs = SESSION_MAX_AGE_MS) {
    this.#size = size;
    this.#maxAgeMs = maxAgeMs;
  }

  /** Keeps a ticket (the `session` event of a TLS socket); the oldest goes when full. */
  add(ticket: Buffer): void {
    if (Date.now() < this.#refusedUntil) return;
    if (this.#tickets.length >= this.#size) this.#tickets.shift();
    this.#tickets.push({ ticket, at: Date.now() });
  }

  /** The newest ticket that is still fresh (kept for the next caller too); undefined: full handshake. */
  take(): Buffer | undefined {
    if (Date.now() < this.#refusedUntil) return undefined;
    const oldest = Date.now() - this.#maxAgeMs;
    while (this.#tickets.length > 0 && (this.#tickets[0]?.at ?? 0) < oldest) this.#tickets.shift();
    return this.#tickets.at(-1)?.ticket;
  }

  /** The peer refused a resumption: drops every ticket and keeps none for the ticket lifetime. */
  refuse(): void {
    this.#tickets.length = 0;
    this.#refusedUntil = Date.now() + this.#maxAgeMs;
  }

  /** Tickets held. */
  get size(): number {
    return this.#tickets.length;
  }
}
