// Regression: the readiness probe stopped at the TLS handshake. With TLS 1.3 the ingress's side of
// the handshake completes before the peer checks the ingress's certificate, so a peer that refuses
// it (another CA, or a name it does not pin) was reported ready while every tunnel failed with 502.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerProbe } from "../../packages/runtime/src/peer-probe.ts";
import { logSink } from "../helpers/log-sink.ts";
import { testPki } from "../helpers/pki.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe("peer readiness probe", () => {
  let nodes: TwoNodes;
  beforeAll(async () => {
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
  });

  async function probeOnce(ingressCert: { cert: string; key: string }) {
    const sink = logSink();
    const options = {
      ...nodes.ingressOptions,
      tls: { ...nodes.ingressOptions.tls, cert: Buffer.from(ingressCert.cert), key: Buffer.from(ingressCert.key) },
    };
    const probe = new PeerProbe(options, 60_000, sink.log, () => {});
    probe.start();
    try {
      await waitUntil(() => probe.states()[0]?.up !== undefined, "a probe result");
      return { state: probe.states()[0], sink };
    } finally {
      probe.stop();
    }
  }

  it("calls a peer that accepts our certificate up", async () => {
    const { state } = await probeOnce((await testPki()).ingress);
    expect(state).toMatchObject({ peer: "cloud", up: true });
  });

  it("calls a peer that refuses our certificate down, and says why", async () => {
    const { state, sink } = await probeOnce((await testPki()).otherCaIngress);
    expect(state).toMatchObject({ peer: "cloud", up: false });
    expect(state?.error).toMatch(/refused this ingress's certificate/);
    expect(sink.events("peer.down")).toHaveLength(1);
    await nodes.peerLog.waitFor("auth.denied", (l) => l.reason === "certificate");
  });
});
