// The WAN between the two nodes of every system in `npm run bench -- --wan`: each inter-node hop
// a system opens goes through a delay line process of its own (delay-line-process.ts), all with the
// same path parameters; the scenario turns their stalls on and off.
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { firstLine, startChild, stopChild } from "./child-processes.ts";
import { defaultBoundBytes } from "./delay-line.ts";
import type { DelayLineProcessOptions } from "./delay-line-process.ts";

/** What the path between the nodes is like. */
export type WanParameters = {
  readonly rttMs: number;
  /** Link rate each way, in bits per second. */
  readonly bitsPerSec: number;
  /** In stall mode, every `everyMs` one connection (in turn) is frozen for `forMs`. */
  readonly stall: { readonly everyMs: number; readonly forMs: number };
};

/** Bytes one connection may hold in flight each way on this path: one bandwidth-delay product. */
export function wanBoundBytes(p: WanParameters): number {
  return defaultBoundBytes({ oneWayDelayMs: p.rttMs / 2, bytesPerSec: p.bitsPerSec / 8 });
}

/** The delay lines of one running system. */
export class WanPath {
  readonly parameters: WanParameters;
  readonly #workDir: string;
  readonly #farHost: string;
  #lines: ChildProcess[] = [];

  /** `farHost`: the address of the far side's listeners (the far namespace's, or loopback). */
  constructor(parameters: WanParameters, workDir: string, farHost: string) {
    this.parameters = parameters;
    this.#workDir = workDir;
    this.#farHost = farHost;
  }

  /** Starts a delay line to `farHost`:`port`; resolves with the loopback port that leads there across the WAN. */
  async hop(port: number): Promise<number> {
    const p = this.parameters;
    const options: DelayLineProcessOptions = {
      target: { host: this.#farHost, port },
      oneWayDelayMs: p.rttMs / 2,
      bytesPerSec: p.bitsPerSec / 8,
      stall: p.stall,
    };
    const script = fileURLToPath(new URL("./delay-line-process.ts", import.meta.url));
    const child = startChild(process.execPath, [script, JSON.stringify(options)], {
      logFile: join(this.#workDir, `delay-line-${port}.log`), pipeStdout: true,
    });
    this.#lines.push(child);
    return (JSON.parse(await firstLine(child, 10_000)) as { port: number }).port;
  }

  /** Turns the stall mode of every line on or off. */
  stalls(on: boolean): void {
    for (const line of this.#lines) if (line.pid !== undefined) process.kill(line.pid, on ? "SIGUSR1" : "SIGUSR2");
  }

  /** Stops every line (after the system that used them). */
  async close(): Promise<void> {
    await Promise.all(this.#lines.map((l) => stopChild(l)));
    this.#lines = [];
  }
}
