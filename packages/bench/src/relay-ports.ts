// A relay (socat, stunnel) has a fixed destination, so it listens once per target: this picks the
// port of each target's listener and answers where a client connects to reach that target.

import { freePort } from "./ports.ts";
import type { Endpoint, TargetName } from "./sut.ts";

/** Every target a relay needs a listener for. */
export const RELAY_TARGETS: readonly TargetName[] = ["echo", "sink", "source"];

/** The listening port of each target, for the relay named `system`. */
export class RelayPorts {
  readonly #system: string;
  readonly #ports = new Map<TargetName, number>();

  constructor(system: string) {
    this.#system = system;
  }

  /** A free port for `target`'s listener, remembered for {@link endpoint}. */
  async pick(target: TargetName): Promise<number> {
    const port = await freePort();
    this.#ports.set(target, port);
    return port;
  }

  /** The port that leads to `target`; throws before the relay has started. */
  endpoint(target: TargetName): Endpoint {
    const port = this.#ports.get(target);
    if (port === undefined) throw new Error(`${this.#system}: not started`);
    return { port };
  }
}
