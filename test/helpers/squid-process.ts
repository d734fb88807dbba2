// Runs a stock squid (Debian's squid-openssl) for a test, in whatever role the caller configures
// (an mTLS peer, a corporate forward proxy): no cache, its pid and logs in a temp dir, on its own
// loopback port, stopped with the test. Its config and command line come from the benchmark's
// squid launcher (packages/bench), so the interop tests and the bench run squid the same way.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, prepareSquid } from "@tlsbridge/bench";
import { startForeignProcess } from "./foreign-process.ts";
import type { ForeignProcess } from "./foreign-process.ts";

export { squidUnavailable } from "@tlsbridge/bench";

/** A running squid. */
export type SquidProcess = {
  readonly port: number;
  /** Its temp dir (config, logs). */
  readonly dir: string;
  readonly process: ForeignProcess;
  readonly close: () => Promise<void>;
};

/**
 * Starts squid with the lines `configure(dir, port)` returns (its listening port, ACLs, logs) plus
 * the shared ones; `configure` may also write the files those lines name into `dir`.
 */
export async function startSquid(name: string, configure: (dir: string, port: number) => Promise<string>): Promise<SquidProcess> {
  const dir = await mkdtemp(join(tmpdir(), `tlsbridge-${name}-`));
  const port = await freePort();
  const squid = prepareSquid(dir, name, await configure(dir, port));
  const process = await startForeignProcess(squid.command, squid.args, { logFile: join(dir, "squid.out"), ports: [port] }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    port,
    dir,
    process,
    close: async () => {
      await process.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
