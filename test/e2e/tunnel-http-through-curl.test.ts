// The first thing a user tries: curl through the ingress to an HTTP service, carried to the
// peer over mTLS with the hybrid post-quantum group, logged by both nodes under one tunnel id.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const run = promisify(execFile);

describe("curl through a two-node tunnel", () => {
  let nodes: TwoNodes;
  let service: TestService;
  beforeAll(async () => {
    service = await startHttpService();
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it("fetches the page with curl -p -x", async () => {
    const { stdout } = await run("curl", [
      "-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${nodes.ingressPort}`,
      `http://localhost:${service.port}/hello`,
    ]);
    expect(stdout).toBe("hello from /hello");
  });

  it("logs tunnel.open and tunnel.close on both nodes with the same tunnel id and byte counts", async () => {
    await run("curl", ["-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${nodes.ingressPort}`,
      `http://localhost:${service.port}/logged`]);
    const ingressClose = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.target === `localhost:${service.port}`);
    const peerClose = await nodes.peerLog.waitFor("tunnel.close", (l) => l.tunnel === ingressClose.tunnel);
    expect(ingressClose.outcome).toBe("done");
    expect(ingressClose.bytesUp).toBeGreaterThan(50);
    expect(ingressClose.bytesDown).toBeGreaterThan(50);
    expect(peerClose.bytesUp).toBe(ingressClose.bytesUp);
    expect(peerClose.bytesDown).toBe(ingressClose.bytesDown);
    expect(typeof ingressClose.durationMs).toBe("number");
  });

  it("negotiates TLS 1.3 with the hybrid X25519MLKEM768 group between the nodes", async () => {
    await run("curl", ["-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${nodes.ingressPort}`,
      `http://localhost:${service.port}/pq`]);
    const open = await nodes.ingressLog.waitFor("tunnel.open", (l) => l.target === `localhost:${service.port}`);
    expect(open.peerTls).toMatchObject({ protocol: "TLSv1.3", group: "X25519MLKEM768" });
  });
});
