// Issue 13: with mode auto, the config's default, a third-party peer (ATS, squid) must end up in
// mode h1 by itself. Shared by the interop tests of both.
import { expect } from "vitest";
import { startIngressToPeer } from "./ingress-to-peer.ts";
import { expectEchoedBack } from "./tunnel-data-checks.ts";

/**
 * Starts an ingress to `peer` in mode auto, carries two echoed tunnels, and checks both went in
 * mode h1 after the first dial offered (tlsbridge/1, http/1.1) and the peer took http/1.1 or nothing.
 */
export async function expectAutoModeGivesH1(peer: { readonly name: string; readonly port: number; readonly servername: string }, echoPort: number): Promise<void> {
  const ingress = await startIngressToPeer({ ...peer, mode: "auto" });
  try {
    await expectEchoedBack(ingress.ingressPort, `127.0.0.1:${echoPort}`, 1);
    await expectEchoedBack(ingress.ingressPort, `127.0.0.1:${echoPort}`, 1);
    const legs = ingress.ingressLog.events("tunnel.open").map((l) => l.peerTls as { mode: string; alpn: string | false });
    expect(legs.map((l) => l.mode)).toEqual(["h1", "h1"]);
    expect(["http/1.1", false]).toContain(legs[0]?.alpn);
    expect(ingress.ingressLog.events("peer.dial.failed")).toHaveLength(0);
  } finally {
    await ingress.close();
  }
}
