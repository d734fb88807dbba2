// Warm pool (mode h1, `pool: { size, maxIdleMs }`) and TLS session resumption: tunnels reuse
// handshakes made ahead of time, the pool refills and expires its connections before the peer's
// head timeout, and later connections resume the TLS session. Handshakes are counted at the peer
// through its `auth.granted` log lines (one per accepted TLS connection).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    // maxIdleMs below the peer's headTimeoutMs (1.5 s here), as the docs require.
    nodes = await startTwoNodes({ peerPool: { size: 3, maxIdleMs: 1_000 }, peerLimits: { headTimeoutMs: 1_500 } });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it("hands tunnels connections handshaken before they arrived", async () => {
    // The pool fills at start: three handshakes with no tunnel yet.
    await nodes.peerLog.waitFor("auth.granted");
    await sleep(200);
    expect(nodes.peerLog.events("auth.granted")).toHaveLength(3);
    expect(await echoOnce(nodes.ingressPort, `localhost:${echo.port}`)).toBe("ping");
    const open = await nodes.ingressLog.waitFor("tunnel.open");
    expect((open.peerTls as { pooled: boolean }).pooled).toBe(true);
  });

  it("expires idle connections before the peer's head timeout, so no tunnel meets a 408", async () => {
    await sleep(2_500); // past maxIdleMs and the peer's headTimeoutMs
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
