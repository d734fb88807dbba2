// Which mode a peer gets when the config leaves it to the handshake (mode auto, the default): the
// first tunnel dials offering our ALPN id before `http/1.1` (alpn-ids.ts). A tlsbridge peer answers
// `tlsbridge/1`: that connection becomes the shared HTTP/2 connection, and every later tunnel a
// stream on it. ATS or squid answer `http/1.1` or nothing: that connection carries the tunnel in
// HTTP/1.1, and later ones get connections (and the warm pool) of their own, offering no ALPN, as
// ATS peers have always been dialed. The answer holds until the peer stops speaking HTTP/2.
import { NEGOTIATING_ALPN, TLSBRIDGE_ALPN } from "@tlsbridge/transport";
import type { TlsConnection } from "@tlsbridge/transport";
import type { H2PeerSession } from "./h2-peer-session.ts";

/** The two modes a tunnel can be opened in. */
export type TunnelMode = "h1" | "h2";

/** What the peer answered, and the connection the asking tunnel may use in h1. */
export type ModeAnswer = { readonly mode: TunnelMode; readonly connection?: TlsConnection };

/** One peer's mode, fixed by the config or learned from its ALPN answer. */
export class PeerMode {
  readonly #fixed: TunnelMode | undefined;
  readonly #dial: (alpnProtocols: readonly string[]) => Promise<TlsConnection>;
  readonly #h2: H2PeerSession | undefined;
  readonly #onH1: () => void;
  #learned: TunnelMode | undefined;
  #asking: Promise<TunnelMode> | undefined;

  /**
   * `fixed`: the mode the config names (undefined: auto). `h2`: the session a tlsbridge peer's
   * connection is handed to. `onH1`: called once when the peer turns out to speak HTTP/1.1 only.
   */
  constructor(
    fixed: TunnelMode | undefined,
    dial: (alpnProtocols: readonly string[]) => Promise<TlsConnection>,
    h2: H2PeerSession | undefined,
    onH1: () => void,
  ) {
    this.#fixed = fixed;
    this.#dial = dial;
    this.#h2 = h2;
    this.#onH1 = onH1;
    if (h2 !== undefined && fixed === undefined) h2.onRefused = () => this.#forget();
  }

  /** The mode in force: named, or learned; undefined while an auto peer has not answered yet. */
  get current(): TunnelMode | undefined {
    return this.#fixed ?? this.#learned;
  }

  /**
   * Asks the peer (one dial, shared by the tunnels that arrive meanwhile). The tunnel that made the
   * dial gets its connection when the answer is h1; throws the dial's error.
   */
  async ask(): Promise<ModeAnswer> {
    if (this.#asking !== undefined) return { mode: await this.#asking };
    let connection: TlsConnection | undefined;
    const asking = (async (): Promise<TunnelMode> => {
      const dialed = await this.#dial(NEGOTIATING_ALPN);
      if (dialed.socket.alpnProtocol === TLSBRIDGE_ALPN && this.#h2 !== undefined) {
        this.#h2.adopt(dialed);
        return "h2";
      }
      connection = dialed;
      return "h1";
    })();
    this.#asking = asking;
    try {
      const mode = await asking;
      if (this.#learned !== mode && mode === "h1") this.#onH1();
      this.#learned = mode;
      return connection === undefined ? { mode } : { mode, connection };
    } finally {
      if (this.#asking === asking) this.#asking = undefined;
    }
  }

  /** The peer no longer answers HTTP/2 (it was replaced, say, by ATS): the next tunnel asks again. */
  #forget(): void {
    this.#learned = undefined;
  }
}
