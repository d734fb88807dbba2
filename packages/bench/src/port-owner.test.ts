// The start-up check's question, on real processes: a child listening on a port owns it, neither a
// sibling process nor a port the child does not listen on counts, and a listener in a forked
// grandchild does.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { listensOn } from "./port-owner.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** A node process that runs `script` and prints one line: the port its listener got. */
async function listeningChild(script: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  return { child, port: Number(line) };
}

const LISTEN = `require("node:net").createServer().listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;

describe.skipIf(process.platform !== "linux")("listensOn", () => {
  it("says yes for the child that listens, no for another process or another port", async () => {
    const { child, port } = await listeningChild(LISTEN);
    const { child: sibling } = await listeningChild(`console.log(0); setInterval(() => {}, 1000);`);
    const mine = net.createServer().listen(0, "127.0.0.1");
    await once(mine, "listening");
    const minePort = (mine.address() as net.AddressInfo).port;
    try {
      expect(listensOn(child.pid as number, port)).toBe(true);
      expect(listensOn(sibling.pid as number, port)).toBe(false);
      expect(listensOn(child.pid as number, minePort)).toBe(false);
    } finally {
      mine.close();
    }
  });

  it("counts a listener held by a descendant", async () => {
    const { child, port } = await listeningChild(`const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(LISTEN)}], { stdio: ["ignore", "pipe", "inherit"] });
      c.stdout.pipe(process.stdout); process.on("SIGTERM", () => { c.kill("SIGKILL"); process.exit(0); });`);
    try {
      expect(listensOn(child.pid as number, port)).toBe(true);
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM"); // it kills its child first
      await exited;
    }
  });
});
