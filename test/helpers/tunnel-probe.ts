// Small probes the robustness tests share: "is the node still serving a good client?" (a full round
// trip through an echo service), reading a socket to its end, and waiting on a condition by polling.
import { expect } from "vitest";
import type net from "node:net";
import { connectThrough } from "./connect-client.ts";

/** A CONNECT to the echo service gets 200 and `ping` comes back: the node still serves. */
export async function expectServed(ingressPort: number, echoPort: number): Promise<void> {
  const tunnel = await connectThrough(ingressPort, `localhost:${echoPort}`);
  expect(tunnel.status).toBe(200);
  const reply = readToEnd(tunnel.socket, tunnel.rest);
  tunnel.socket.end("ping");
  expect((await reply).data.toString()).toBe("ping");
}

/** Everything `socket` delivers until it ends or errors (a reset), with how it ended. */
export function readToEnd(socket: net.Socket, already: Buffer = Buffer.alloc(0)): Promise<{ data: Buffer; ended: "end" | "error"; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const chunks = [already];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => resolve({ data: Buffer.concat(chunks), ended: "end" }));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve({ data: Buffer.concat(chunks), ended: "error", error }));
    socket.resume();
  });
}

/** Polls `check` every `everyMs` until it is true; fails after `timeoutMs` with `what`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The Proxy-Status members of a response, joined. */
export function proxyStatusOf(headers: Map<string, string[]>): string {
  return (headers.get("proxy-status") ?? []).join(", ");
}
