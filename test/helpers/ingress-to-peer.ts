// Starts only our ingress, in this process, routing every host to one peer that runs elsewhere (a
// third-party proxy in the interop tests): certificates from the test CA, its log in memory; and
// the checks every interop test puts through it (bulk run, a relayed refusal, a foreign CA).
import { expect } from "vitest";
import { connectThrough } from "./connect-client.ts";
import { closedPort } from "./services.ts";
import { proxyStatusOf } from "./tunnel-probe.ts";
import { startIngress } from "@tlsbridge/ingress";
import type { IngressLimits, PeerEndpoint, RunningIngress } from "@tlsbridge/ingress";
import { RuleSet } from "@tlsbridge/rules";
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";
import { logSink } from "./log-sink.ts";
import type { LogSink } from "./log-sink.ts";
import { testPki } from "./pki.ts";
import { expectEchoedBack } from "./tunnel-data-checks.ts";
import { TEST_INGRESS_LIMITS } from "./two-nodes.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";

/** The running ingress, its first listener's port and its log. */
export type LoneIngress = {
  readonly ingress: RunningIngress;
  readonly ingressPort: number;
  readonly ingressLog: LogSink;
  readonly close: () => Promise<void>;
};

/** Starts an ingress whose one rule sends every host to `peer` (named `peer.name`); `ingressCert` default: the test ingress's. */
export async function startIngressToPeer(
  peer: Omit<PeerEndpoint, "host"> & { readonly host?: string },
  options: { readonly limits?: Partial<IngressLimits>; readonly ingressCert?: IssuedCertificate } = {},
): Promise<LoneIngress> {
  const pki = await testPki();
  const ingressCert = options.ingressCert ?? pki.ingress;
  const ingressLog = logSink();
  const ingress = await startIngress({
    nodeName: "test-ingress",
    listeners: [{ site: "interop", host: "127.0.0.1", port: 0, rules: RuleSet.fromEntries([{ match: ".*", peer: peer.name }]) }],
    peers: new Map([[peer.name, { host: "127.0.0.1", ...peer }]]),
    tls: { ca: Buffer.from(pki.ca.cert), cert: Buffer.from(ingressCert.cert), key: Buffer.from(ingressCert.key) },
    keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS,
    limits: { ...TEST_INGRESS_LIMITS, ...options.limits },
  }, { log: ingressLog.log });
  return {
    ingress,
    ingressPort: (ingress.listeners[0] as { port: number }).port,
    ingressLog,
    close: () => ingress.close(),
  };
}

/** How many tunnels in a row the interop bulk run carries. */
export const BULK_TUNNELS = 20;
/** How many MiB each way each tunnel of the bulk run carries. */
export const BULK_MIB_EACH_WAY = 64;

/**
 * Carries {@link BULK_TUNNELS} tunnels in a row through `ingress` to the echo service on
 * `echoPort`, {@link BULK_MIB_EACH_WAY} MiB each way checked by checksum; expects every tunnel
 * opened and no peer dial failed, and prints the milliseconds each tunnel took.
 */
export async function carryBulkTunnels(ingress: LoneIngress, echoPort: number, peerLabel: string): Promise<void> {
  const durations: number[] = [];
  for (let i = 0; i < BULK_TUNNELS; i++) durations.push(await expectEchoedBack(ingress.ingressPort, `127.0.0.1:${echoPort}`, BULK_MIB_EACH_WAY));
  expect(ingress.ingressLog.events("tunnel.open").length).toBeGreaterThanOrEqual(BULK_TUNNELS);
  expect(ingress.ingressLog.events("peer.dial.failed")).toHaveLength(0);
  console.info(`${peerLabel}: ${BULK_TUNNELS} x ${BULK_MIB_EACH_WAY} MiB echoed, ms per tunnel: ${durations.map(Math.round).join(" ")}`);
}

/**
 * A CONNECT to a closed loopback port, which the third-party peer refuses with 403 by its own
 * port rules: the client gets that 403 with our Proxy-Status member naming what we received.
 */
export async function expectPeerRefusalRelayed(ingress: LoneIngress): Promise<void> {
  const reply = await connectThrough(ingress.ingressPort, `127.0.0.1:${await closedPort()}`);
  reply.socket.destroy();
  expect(reply.status).toBe(403);
  expect(proxyStatusOf(reply.headers)).toMatch(/^test-ingress; received-status=403$/);
  expect((await ingress.ingressLog.waitFor("peer.response")).status).toBe(403);
}

/**
 * An ingress with a certificate from another CA: the third-party peer refuses it with a TLS alert,
 * and the client gets 502 tls_certificate_error naming the peer, logged as auth.denied.
 */
export async function expectForeignCaRefused(peer: Omit<PeerEndpoint, "host">, echoPort: number): Promise<void> {
  const stranger = await startIngressToPeer(peer, { ingressCert: (await testPki()).otherCaIngress });
  try {
    const reply = await connectThrough(stranger.ingressPort, `127.0.0.1:${echoPort}`);
    reply.socket.destroy();
    expect(reply.status).toBe(502);
    expect(proxyStatusOf(reply.headers)).toBe(`test-ingress; error=tls_certificate_error; details="peer ${peer.name} refused the ingress certificate"`);
    const denied = await stranger.ingressLog.waitFor("auth.denied");
    expect(denied).toMatchObject({ reason: "certificate", code: "TLSB_ERR_PEER_CERT" });
    expect(JSON.stringify(denied.err)).toMatch(/ERR_SSL_TLSV\d*_ALERT_/);
  } finally {
    await stranger.close();
  }
}
