// Warm pool (mode h1, `pool: { size, maxIdleMs }`) and TLS session resumption: tunnels reuse
// handshakes made ahead of time, the pool refills and expires its connections before the peer's
// head timeout, and later connections resume the TLS session. Handshakes are counted at the peer
// through its `auth.granted` log lines (one per accepted TLS connection).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

async function echoOnce(port: number, target: string): Promise<string> {
  const t = await connectThrough(port, target);
  expect(t.status).toBe(200);
  return await new Promise<string>((resolve) => {
    let got = t.rest.toString();
    t.socket.on("data", (c: Buffer) => (got += c.toString()));
    t.socket.on("end", () => resolve(got));
    t.socket.resume();
    t.socket.end("ping");
  });
}

describe("warm pool", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    // maxIdleMs below the peer's headTimeoutMs, as the docs require; the gap is wide so that a
    // loaded machine firing timers late cannot turn it around.
    nodes = await startTwoNodes({ peerPool: { size: 3, maxIdleMs: 1_000 }, peerLimits: { headTimeoutMs: 4_000 } });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it("hands tunnels connections handshaken before they arrived", async () => {
    // The pool fills at start: three handshakes with no tunnel yet (waited for, not slept on: the
    // 200 ms this once allowed was not enough on a loaded machine).
    await waitUntil(() => nodes.peerLog.events("auth.granted").length >= 3, "the pool to fill");
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(0);
    expect(await echoOnce(nodes.ingressPort, `localhost:${echo.port}`)).toBe("ping");
    const open = await nodes.ingressLog.waitFor("tunnel.open");
    expect((open.peerTls as { pooled: boolean }).pooled).toBe(true);
  });

  it("expires idle connections before the peer's head timeout, so no tunnel meets a 408", async () => {
    // Wait for the pool to have expired and replaced its connections (three more handshakes than
    // the three at start and the one the first tunnel took), rather than sleeping a fixed 2.5 s: a
    // pool that never expired them would never get there, and one that left them to the peer's
    // head timeout would show the 408s below.
    const before = nodes.peerLog.events("auth.granted").length;
    await waitUntil(() => nodes.peerLog.events("auth.granted").length >= before + 3, "the pool to expire and refill", 20_000);
    expect(nodes.peerLog.events("request.rejected").filter((l) => l.code === "TLSB_ERR_HEAD_TIMEOUT")).toHaveLength(0);
    for (let i = 0; i < 3; i++) expect(await echoOnce(nodes.ingressPort, `localhost:${echo.port}`)).toBe("ping");
    const opens = nodes.ingressLog.events("tunnel.open");
    expect(opens.slice(-3).every((l) => (l.peerTls as { pooled: boolean }).pooled)).toBe(true);
  });

  it("refills with resumed TLS sessions (no certificate exchange after the first handshakes)", () => {
    const granted = nodes.peerLog.events("auth.granted");
    expect(granted.length).toBeGreaterThan(3);
    // Expired and refilled connections resume the sessions of earlier ones.
    expect(granted.slice(3).some((l) => l.resumed === true)).toBe(true);
  });
});

describe("TLS session resumption without a pool", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it("resumes the TLS session for the second and later tunnels, and the peer still knows the ingress", async () => {
    for (let i = 0; i < 4; i++) expect(await echoOnce(nodes.ingressPort, `localhost:${echo.port}`)).toBe("ping");
    const opens = nodes.ingressLog.events("tunnel.open").map((l) => l.peerTls as { resumed: boolean; pooled: boolean });
    expect(opens[0]?.resumed, JSON.stringify(opens)).toBe(false);
    expect(opens.slice(1).every((l) => l.resumed && !l.pooled), JSON.stringify(opens)).toBe(true);
    // The peer still sees the ingress's certificate on resumed connections (limits key on it).
    const granted = nodes.peerLog.events("auth.granted");
    expect(granted.every((l) => typeof l.fingerprint256 === "string" && l.fingerprint256 !== "")).toBe(true);
  });
});
