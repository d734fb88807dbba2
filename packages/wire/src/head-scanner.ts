// Finds the end of an HTTP/1.1 head (CRLF CRLF) however the bytes are split across reads, the way
// ATS tls_bridge scans the peer's response: a restartable byte-at-a-time state machine, no buffering.

/** Scanner state names, for error messages and tests. */
export type HeadScannerState = "start" | "cr" | "crlf" | "crlfcr" | "done";

//  state  │ CR      │ LF      │ other byte
//  ───────┼─────────┼─────────┼───────────
//  start  │ cr      │ start   │ start
//  cr     │ cr      │ crlf    │ start
//  crlf   │ crlfcr  │ start   │ start
//  crlfcr │ cr      │ done    │ start
//  done   │ (final: the head ended just past this LF)
//
//  Bare LF never ends a line (RFC 9112 §2.2 lets a recipient accept it; we do not, so the scanner
//  and llhttp agree on where the head ends and nothing can be smuggled between them).
const START = 0;
const CR_ = 1;
const CRLF = 2;
const CRLFCR = 3;
const DONE = 4;
const NAMES: readonly HeadScannerState[] = ["start", "cr", "crlf", "crlfcr", "done"];
const CR = 0x0d;
const LF = 0x0a;

/** Restartable CR/LF scanner: feed chunks to {@link HeadScanner.scan} until it returns an index. */
export class HeadScanner {
  #state = START;
  #scanned = 0;

  /**
   * Scans `chunk` and returns the index in `chunk` just past the final LF of the head, or -1 when
   * more bytes are needed. After the head is found, further calls return 0 (all of it is rest).
   */
  scan(chunk: Uint8Array): number {
    let state = this.#state;
    if (state === DONE) return 0;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (state === START) {
        // Fast path: most bytes are not CR; jump to the next one natively.
        const at = chunk.indexOf(CR, i);
        if (at < 0) {
          i = n;
          break;
        }
        i = at;
      }
      const b = chunk[i++];
      if (b === CR) {
        state = state === CRLF ? CRLFCR : CR_;
      } else if (b === LF) {
        if (state === CR_) state = CRLF;
        else if (state === CRLFCR) {
          this.#state = DONE;
          this.#scanned += i;
          return i;
        } else state = START;
      } else {
        state = START;
      }
    }
    this.#state = state;
    this.#scanned += i;
    return -1;
  }

  /** Current state (see the table above the class). */
  get state(): HeadScannerState {
    return NAMES[this.#state] ?? "start";
  }

  /** True once the end of the head was found. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** Bytes scanned so far, up to and including the final LF once done. */
  get offset(): number {
    return this.#scanned;
  }

  /** Back to `start`, for the next head. */
  reset(): void {
    this.#state = START;
    this.#scanned = 0;
  }
}
