// The hold scenario: N tunnels opened (each proven with an echo) and left idle, then the PSS of
// the system's processes is compared with before: memory per idle tunnel.

import type net from "node:net";
import type { Metrics } from "./metrics.ts";
import type { SystemUnderTest } from "./sut.ts";
import { openTunnel, readUntil } from "./tunnel-client.ts";
import { treePssKiB } from "./proc-sample.ts";

const PAYLOAD = Buffer.alloc(32, 0x68);
const OPEN_CONCURRENCY = 32;

/** Count and bounds of one hold run. */
export type HoldOptions = { tunnels: number; timeoutMs: number; settleMs: number };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function echoTunnel(sut: SystemUnderTest, timeoutMs: number): Promise<net.Socket> {
  const t = await openTunnel(sut.endpoint("echo"), timeoutMs);
  t.socket.write(PAYLOAD);
  await readUntil(t, timeoutMs, (total) => total >= PAYLOAD.length);
  t.socket.on("error", () => {});
  return t.socket;
}

/**
 * Opens `tunnels` idle tunnels, samples PSS, closes them. A warm-up batch opened and closed first
 * keeps one-time costs (lazy initialisation, first buffers of a pool) out of the per-tunnel figure.
 */
export async function runHold(sut: SystemUnderTest, o: HoldOptions): Promise<Metrics> {
  const warm = await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, () => echoTunnel(sut, o.timeoutMs)));
  for (const s of warm) s.destroy();
  await sleep(o.settleMs);
  const before = treePssKiB(sut.pids());
  const open: net.Socket[] = [];
  let next = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < o.tunnels) {
      next++;
      try {
        open.push(await echoTunnel(sut, o.timeoutMs));
      } catch (err) {
        firstError ??= (err as Error).message;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
    await sleep(o.settleMs);
    const after = treePssKiB(sut.pids());
    if (firstError !== undefined) {
      process.stderr.write(`  ${sut.name} hold: ${o.tunnels - open.length} tunnels failed, first: ${firstError}\n`);
    }
    return {
      "hold.tunnels": open.length,
      "hold.pssBeforeKiB": before,
      "hold.pssAfterKiB": after,
      "hold.kibPerTunnel":
        before !== undefined && after !== undefined && open.length > 0 ? (after - before) / open.length : undefined,
    };
  } finally {
    for (const s of open) s.destroy();
    await sleep(Math.min(2000, o.settleMs));
  }
}
