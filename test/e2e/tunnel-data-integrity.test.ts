// Bytes through the tunnel arrive whole and in order: 64 MiB each way with a checksum, early data
// pipelined right after the CONNECT head, and half-close carried across all three hops.
import { afterAll, beforeAll, describe, it } from "vitest";
import { startCountUntilFinService, startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { expectChecksummedEcho, expectEarlyBytesEchoed, expectHalfCloseCarried } from "../helpers/tunnel-data-checks.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe("data through the tunnel", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  let counter: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    counter = await startCountUntilFinService();
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
    await counter.close();
  });

  it("moves 64 MiB each way through an echo service with matching SHA-256", async () => {
    await expectChecksummedEcho(nodes, echo.port, 64);
  }, 180_000); // a deadline for a bulk transfer on a loaded machine, not a speed (issue 9)

  it("delivers bytes the client pipelined right after the CONNECT head", async () => {
    await expectEarlyBytesEchoed(nodes.ingressPort, `CONNECT localhost:${echo.port} HTTP/1.1\r\nHost: localhost:${echo.port}\r\n\r\n`);
  });

  it("carries a client's half-close to the service and still delivers the whole answer", async () => {
    await expectHalfCloseCarried(nodes.ingressPort, counter.port);
  });
});
