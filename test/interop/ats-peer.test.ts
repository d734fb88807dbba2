// Our ingress with a stock Apache Traffic Server (Debian's trafficserver 9.2) as its peer: the peer
// role ATS plays for its own tls_bridge plugin, with no plugin at all on that side: an `ssl` server
// port requiring a client certificate from the test CA (`certification_level 2`), CONNECT allowed
// to the test's echo port only. Many tunnels in a row exercise TLS resumption with ATS's tickets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atsUnavailable, startAtsPeer } from "../helpers/ats-peer.ts";
import type { AtsPeer } from "../helpers/ats-peer.ts";
import { expectAutoModeGivesH1 } from "../helpers/auto-mode-check.ts";
import { BULK_MIB_EACH_WAY, BULK_TUNNELS, carryBulkTunnels, expectForeignCaRefused, expectPeerRefusalRelayed, startIngressToPeer } from "../helpers/ingress-to-peer.ts";
import type { LoneIngress } from "../helpers/ingress-to-peer.ts";
import { issueTestCert, testPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";

const ATS_NAME = "ats-peer.tlsbridge.test";
const unavailable = atsUnavailable();

describe.skipIf(unavailable !== undefined)(`ingress -> stock Apache Traffic Server peer${unavailable === undefined ? "" : ` (skipped: ${unavailable})`}`, () => {
  let echo: TestService;
  let ats: AtsPeer;
  let ingress: LoneIngress;
  beforeAll(async () => {
    echo = await startEchoService();
    const pki = await testPki();
    ats = await startAtsPeer({ ca: pki.ca.cert, cert: await issueTestCert({ names: [ATS_NAME] }), allowPorts: [echo.port] });
    ingress = await startIngressToPeer({ name: "ats", port: ats.port, servername: ATS_NAME });
  }, 60_000);
  afterAll(async () => {
    await ingress?.close();
    await ats?.close();
    await echo?.close();
  });

  it(`carries ${BULK_TUNNELS} tunnels in a row, ${BULK_MIB_EACH_WAY} MiB each way with checksums`, async () => {
    await carryBulkTunnels(ingress, echo.port, "ATS");
    // ATS resumes our TLS sessions: later tunnels skip the certificate exchange.
    const opens = ingress.ingressLog.events("tunnel.open");
    expect(opens.slice(1).some((l) => (l.peerTls as { resumed?: boolean }).resumed === true)).toBe(true);
  }, 240_000);

  it("with mode auto, the config's default, ATS gets mode h1: it does not pick our ALPN id (issue 13)", async () => {
    await expectAutoModeGivesH1({ name: "ats", port: ats.port, servername: ATS_NAME }, echo.port);
  }, 60_000);

  it("relays ATS's refusal of a port outside connect_ports, with our Proxy-Status member", async () => {
    await expectPeerRefusalRelayed(ingress);
  }, 60_000);

  it("ATS refuses an ingress certificate from another CA with a TLS alert: 502 tls_certificate_error", async () => {
    await expectForeignCaRefused({ name: "ats", port: ats.port, servername: ATS_NAME }, echo.port);
  }, 60_000);
});
