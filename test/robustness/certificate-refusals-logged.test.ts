// Certificate failures on either side that test/e2e/tunnel-refusals.test.ts does not cover: the
// ingress refusing a peer certificate from another CA, and the peer refusing an expired ingress
// certificate or one issued for servers only. Each is refused (502 to the client), logged as
// auth.denied with the reason on the node that refused it, and the tunnel never opens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { issueTestCert, TEST_INGRESS_NAME, testPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { proxyStatusOf } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodeOptions } from "../helpers/two-nodes.ts";

const DAY_MS = 86_400_000;

describe("certificate refusals are auth events with the reason", () => {
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
  });
  afterAll(async () => {
    await echo.close();
  });

  async function refusedWith(options: TwoNodeOptions) {
    const nodes = await startTwoNodes(options);
    try {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      reply.socket.destroy();
      expect(reply.status).toBe(502);
      expect(nodes.peerLog.events("tunnel.open")).toHaveLength(0);
      expect(nodes.ingressLog.events("tunnel.open")).toHaveLength(0);
      return { reply, nodes };
    } finally {
      await nodes.close();
    }
  }

  it("the ingress refuses a peer certificate signed by another CA: auth.denied at the ingress", async () => {
    const pki = await testPki();
    const { reply, nodes } = await refusedWith({ peerCert: pki.otherCaPeer });
    expect(proxyStatusOf(reply.headers)).toMatch(/^test-ingress; error=tls_certificate_error; details="peer cloud: [^"]*UNABLE_TO_VERIFY_LEAF_SIGNATURE[^"]*"$/);
    const denied = await nodes.ingressLog.waitFor("auth.denied");
    expect(denied).toMatchObject({ reason: "certificate", code: "TLSB_ERR_PEER_CERT", status: 502, level: 40 });
    expect(JSON.stringify(denied.err)).toContain("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("the ingress refuses a peer certificate for another name: auth.denied at the ingress says so", async () => {
    const pki = await testPki();
    const { nodes } = await refusedWith({ peerCert: pki.wrongNamePeer });
    const denied = await nodes.ingressLog.waitFor("auth.denied");
    expect(denied.reason).toBe("certificate");
    expect(JSON.stringify(denied.err)).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("the peer refuses an expired ingress certificate: auth.denied at the peer with CERT_HAS_EXPIRED", async () => {
    const now = Date.now();
    const expired = await issueTestCert({
      names: [TEST_INGRESS_NAME], usage: "client", notBefore: new Date(now - 2 * DAY_MS), notAfter: new Date(now - DAY_MS),
    });
    const { reply, nodes } = await refusedWith({ ingressCert: expired });
    // The peer says why in its own Proxy-Status member (issue 9); the ingress appends its own.
    expect(proxyStatusOf(reply.headers)).toBe(
      'test-peer; error=tls_certificate_error; details="ingress certificate refused: CERT_HAS_EXPIRED", test-ingress; error=tls_certificate_error; received-status=502; details="peer cloud refused the ingress certificate"',
    );
    const denied = await nodes.peerLog.waitFor("auth.denied");
    expect(denied.reason).toBe("certificate");
    expect(JSON.stringify(denied.err)).toContain("CERT_HAS_EXPIRED");
  });

  it("the peer refuses an ingress certificate issued for servers only (wrong purpose)", async () => {
    const serverOnly = await issueTestCert({ names: [TEST_INGRESS_NAME], usage: "server" });
    const { nodes } = await refusedWith({ ingressCert: serverOnly });
    const denied = await nodes.peerLog.waitFor("auth.denied");
    expect(denied.reason).toBe("certificate");
    expect(JSON.stringify(denied.err)).toContain("INVALID_PURPOSE");
  });
});
