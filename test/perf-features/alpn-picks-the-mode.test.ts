// The fast mode without config (issue 13): with `mode: auto`, the config's default, the first
// handshake offers ALPN `tlsbridge/1` before `http/1.1`; our peer picks it and every tunnel becomes
// an HTTP/2 stream on that one connection, while `mode: h1` still forces a connection per tunnel.
// openssl s_client shows what the peer answers each offer (ATS and squid: test/interop).
import { execFile } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { H2_MAX_CONNECTIONS_PER_PEER } from "@tlsbridge/ingress";
import { writeTestPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { expectChecksummedEcho } from "../helpers/tunnel-data-checks.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(options: Parameters<typeof startTwoNodes>[0]): Promise<{ nodes: TwoNodes; echo: TestService }> {
  const echo = await startEchoService();
  cleanups.push(() => echo.close());
  const nodes = await startTwoNodes(options);
  cleanups.push(() => nodes.close());
  return { nodes, echo };
}

type Leg = { mode: string; alpn: string | false };

describe("mode auto: ALPN picks the mode", () => {
  it("gives our own peer mode h2: tunnels that start together share the connection the first handshake made", async () => {
    const { nodes, echo } = await started({ peerMode: "auto" });
    await Promise.all(Array.from({ length: 4 }, () => expectChecksummedEcho(nodes, echo.port, 1)));
    await expectChecksummedEcho(nodes, echo.port, 1);
    const legs = nodes.ingressLog.events("tunnel.open").map((l) => l.peerTls as Leg);
    expect(legs).toHaveLength(5);
    expect(legs.every((l) => l.mode === "h2" && l.alpn === "tlsbridge/1")).toBe(true);
    // Every TLS connection to the peer served as HTTP/2: the first, and at most a few more opened
    // while tunnels overlapped (h2-peer-session.ts), never one per tunnel.
    const granted = nodes.peerLog.events("auth.granted").map((l) => l.mode);
    expect(granted.every((m) => m === "h2")).toBe(true);
    expect(granted.length).toBeLessThanOrEqual(H2_MAX_CONNECTIONS_PER_PEER);
  });

  it("keeps mode h1 when the config names it, even with a peer that could multiplex", async () => {
    const { nodes, echo } = await started({ peerMode: "h1" });
    await expectChecksummedEcho(nodes, echo.port, 1);
    await expectChecksummedEcho(nodes, echo.port, 1);
    const legs = nodes.ingressLog.events("tunnel.open").map((l) => l.peerTls as Leg);
    expect(legs.map((l) => [l.mode, l.alpn])).toEqual([["h1", false], ["h1", false]]);
  });

  it("the peer answers our id to a tlsbridge ingress, h2 to an older one, http/1.1 to ATS-like offers (openssl s_client)", async () => {
    const { nodes } = await started({ peerMode: "auto" });
    const pki = await writeTestPki();
    // What the peer picks from each offer, as `openssl s_client` reports it (stdin closed: it
    // hangs up right after the handshake).
    const said = (offer: string): Promise<string> =>
      new Promise((resolve) => {
        const child = execFile("openssl", [
          "s_client", "-connect", `127.0.0.1:${nodes.peer.port}`, "-servername", "localhost", "-CAfile", `${pki.dir}/ca.pem`,
          "-cert", pki.ingress.cert, "-key", pki.ingress.key, "-alpn", offer,
        ], { timeout: 10_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
        child.stdin?.end();
      });
    expect(await said("tlsbridge/1,http/1.1")).toMatch(/ALPN protocol: tlsbridge\/1\n/);
    expect(await said("h2,http/1.1")).toMatch(/ALPN protocol: h2\n/);
    expect(await said("http/1.1")).toMatch(/ALPN protocol: http\/1.1\n/);
  });
});
