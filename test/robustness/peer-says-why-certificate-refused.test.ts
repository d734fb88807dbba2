// Regression (issue 9): a peer that refused the ingress's certificate (another CA, expired, a name
// it does not pin) closed the connection without a word, so the client got `502
// http_response_incomplete` with a guess in `details`, and only the peer's log said what happened.
// With TLS 1.3 the peer checks the client's certificate after the client's Finished, so no alert can
// carry the reason, but the connection is up: the peer now answers in HTTP (in mode h2, on the
// CONNECT stream) with 502 and its own Proxy-Status member, `error=tls_certificate_error` and what
// OpenSSL said, before closing. The ingress keeps that member, appends its own, and logs
// auth.denied with the peer's words.
// Also seen: a warm pool refilled at once whenever the peer closed a parked connection, so against
// a peer that refuses our certificate it handshook some 400 times a second; it now backs off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { issueTestCert, TEST_INGRESS_NAME, testPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { proxyStatusOf } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodeOptions } from "../helpers/two-nodes.ts";

const DAY_MS = 86_400_000;

describe("the peer says why it refused the ingress's certificate", () => {
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
  });
  afterAll(async () => {
    await echo.close();
  });

  async function expectNamedRefusal(options: TwoNodeOptions, opensslSaid: string): Promise<void> {
    const nodes = await startTwoNodes(options);
    try {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      reply.socket.destroy();
      expect(reply.status).toBe(502);
      expect(proxyStatusOf(reply.headers)).toBe(
        `test-peer; error=tls_certificate_error; details="ingress certificate refused: ${opensslSaid}", ` +
        'test-ingress; error=tls_certificate_error; received-status=502; details="peer cloud refused the ingress certificate"',
      );
      const denied = await nodes.ingressLog.waitFor("auth.denied");
      expect(denied).toMatchObject({ level: 40, reason: "certificate", code: "TLSB_ERR_PEER_CERT", status: 502, peer: "cloud" });
      expect(denied.peerSaid).toBe(`ingress certificate refused: ${opensslSaid}`);
      expect(nodes.ingressLog.events("tunnel.open")).toHaveLength(0);
      expect(nodes.peerLog.events("tunnel.open")).toHaveLength(0);
    } finally {
      await nodes.close();
    }
  }

  async function expired() {
    const now = Date.now();
    return issueTestCert({ names: [TEST_INGRESS_NAME], usage: "client", notBefore: new Date(now - 2 * DAY_MS), notAfter: new Date(now - DAY_MS) });
  }

  it("h1: a certificate from another CA", async () => {
    await expectNamedRefusal({ ingressCert: (await testPki()).otherCaIngress }, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("h1: an expired certificate", async () => {
    await expectNamedRefusal({ ingressCert: await expired() }, "CERT_HAS_EXPIRED");
  });

  it("h1 with a warm pool: the pool's connections are refused too, and the tunnel is told why", async () => {
    await expectNamedRefusal({ ingressCert: await expired(), peerPool: { size: 2, maxIdleMs: 3_000 } }, "CERT_HAS_EXPIRED");
  });

  it("h1: a name the peer does not pin", async () => {
    const stranger = await issueTestCert({ names: ["build-agent.tlsbridge.test"], usage: "client" });
    await expectNamedRefusal({ ingressCert: stranger, peerIngresses: ["ingress[.]tlsbridge[.]test"] },
      "its names match none of the peer's pinned ingresses");
  });

  it("h2: an expired certificate, answered on the CONNECT stream", async () => {
    await expectNamedRefusal({ ingressCert: await expired(), peerMode: "h2" }, "CERT_HAS_EXPIRED");
  });

  it("h2: a certificate from another CA", async () => {
    await expectNamedRefusal({ ingressCert: (await testPki()).otherCaIngress, peerMode: "h2" }, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("a warm pool backs off from a peer that refuses each of its connections, instead of redialing at once", async () => {
    const nodes = await startTwoNodes({ ingressCert: await expired(), peerPool: { size: 2, maxIdleMs: 3_000 } });
    try {
      await nodes.peerLog.waitFor("auth.denied");
      await new Promise((r) => setTimeout(r, 2_000));
      // Backoff from 500 ms, doubling: a handful of handshakes in 2 s (there were about 800).
      expect(nodes.peerLog.events("auth.denied").length).toBeLessThan(40);
    } finally {
      await nodes.close();
    }
  });
});
