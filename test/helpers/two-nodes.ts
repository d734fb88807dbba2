// Starts a real peer and a real ingress in this process, on loopback port 0, with certificates
// from the test CA; every knob a test needs (rules, allow list, certificates, limits) can be
// overridden. Each node logs into its own in-memory sink.
import { startIngress } from "@tlsbridge/ingress";
import type { CorporateProxy, IngressLimits, IngressOptions, ListenerProtocol, ProxyAuthUsers, RunningIngress } from "@tlsbridge/ingress";
import { startPeer } from "@tlsbridge/peer";
import type { PeerDnsOptions, PeerLimits, PeerOptions, RunningPeer } from "@tlsbridge/peer";
import { AllowList, ClientNetworks, compileHostPattern, RuleSet } from "@tlsbridge/rules";
import type { PlainAllowEntry, RuleEntry } from "@tlsbridge/rules";
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";
import type { TlsMaterial, TunnelMetrics } from "@tlsbridge/transport";
import { testPki } from "./pki.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";
import { LOOPBACK_ADDRESSES } from "./loopback-addresses.ts";
import { logSink } from "./log-sink.ts";
import type { LogSink } from "./log-sink.ts";

/** What a test may change from the defaults. */
export type TwoNodeOptions = {
  /** Ingress rules; default: every host goes to peer `cloud`. */
  readonly rules?: readonly RuleEntry[];
  /** Peer allow list; default: `localhost` and `127.0.0.1`, any port, loopback addresses admitted. */
  readonly allow?: readonly PlainAllowEntry[];
  /** Certificate the peer presents; default: the test peer certificate. */
  readonly peerCert?: IssuedCertificate;
  /** Client certificate the ingress presents; default: the test ingress certificate. */
  readonly ingressCert?: IssuedCertificate;
  /** Name the ingress expects in the peer's certificate; default `localhost`. */
  readonly peerServername?: string;
  /** Address the ingress dials for the peer; default the started peer. */
  readonly peerPort?: number;
  readonly ingressLimits?: Partial<IngressLimits>;
  readonly peerLimits?: Partial<PeerLimits>;
  /** A TLS listener (HTTPS proxy) instead of plain TCP. */
  readonly ingressListenerTls?: IssuedCertificate;
  /** The peer's mode and warm pool in the ingress's options (default: h1, no pool; the config's default mode is auto). */
  readonly peerMode?: "auto" | "h1" | "h2";
  readonly peerPool?: { readonly size: number; readonly maxIdleMs: number };
  /** What the ingress's listener speaks (default http), and an sni listener's target port (default 443). */
  readonly ingressProtocol?: ListenerProtocol;
  readonly ingressTargetPort?: number;
  /** The corporate proxy the ingress reaches the peer through (default: none, dialed directly). */
  readonly peerVia?: CorporateProxy;
  /** Proxy authentication users on the ingress's listener (default: none). */
  readonly ingressAuth?: ProxyAuthUsers;
  /** The peer's pinned ingress name patterns (default: absent, any certificate from the CA). */
  readonly peerIngresses?: readonly string[];
  /** The peer's DNS servers (a test server: test/helpers/dns-server.ts); default: the system's resolver. */
  readonly peerDns?: PeerDnsOptions;
  /** Address of the ingress's listener; default `127.0.0.1`. */
  readonly ingressHost?: string;
  /** The listener's `clients:` CIDR blocks (default: none, anyone). */
  readonly ingressClients?: readonly string[];
  /** The ingress's metrics sink (default: none). */
  readonly ingressMetrics?: TunnelMetrics;
};

/** The two running nodes and their logs. */
export type TwoNodes = {
  readonly ingress: RunningIngress;
  readonly peer: RunningPeer;
  /** Port of the ingress's (first) listener. */
  readonly ingressPort: number;
  readonly ingressLog: LogSink;
  readonly peerLog: LogSink;
  /** The options each node was started with (a base for `reload` tests). */
  readonly ingressOptions: IngressOptions;
  readonly peerOptions: PeerOptions;
  readonly close: () => Promise<void>;
};

/** Limits the test nodes start with (generous; tests override what they exercise). */
export const TEST_INGRESS_LIMITS: IngressLimits = {
  maxHeadBytes: 16 * 1024,
  headTimeoutMs: 5_000,
  peerConnectTimeoutMs: 5_000,
  peerResponseTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxTunnels: 1_000,
  maxTunnelsPerClient: 1_000,
  maxTunnelLifetimeMs: 0,
};

/** Limits the test nodes start with (generous; tests override what they exercise). */
export const TEST_PEER_LIMITS: PeerLimits = {
  maxHeadBytes: 16 * 1024,
  headTimeoutMs: 5_000,
  tlsHandshakeTimeoutMs: 5_000,
  serviceConnectTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxTunnels: 1_000,
  maxTunnelsPerIngress: 1_000,
  maxTunnelLifetimeMs: 0,
};

function material(ca: string, issued: IssuedCertificate): TlsMaterial {
  return { ca: Buffer.from(ca), cert: Buffer.from(issued.cert), key: Buffer.from(issued.key) };
}

/** Starts a peer and an ingress wired to it. */
export async function startTwoNodes(options: TwoNodeOptions = {}): Promise<TwoNodes> {
  const pki = await testPki();
  const peerLog = logSink();
  const ingressLog = logSink();
  const peerOptions: PeerOptions = {
    nodeName: "test-peer",
    host: "127.0.0.1",
    port: 0,
    allow: AllowList.fromEntries(options.allow ?? [
      { match: "localhost", addresses: LOOPBACK_ADDRESSES }, { match: "127[.]0[.]0[.]1", addresses: LOOPBACK_ADDRESSES },
    ]),
    tls: material(pki.ca.cert, options.peerCert ?? pki.peer),
    keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS,
    limits: { ...TEST_PEER_LIMITS, ...options.peerLimits },
    ...(options.peerIngresses !== undefined ? { ingresses: options.peerIngresses.map(compileHostPattern) } : {}),
    ...(options.peerDns !== undefined ? { dns: options.peerDns } : {}),
  };
  const peer = await startPeer(peerOptions, { log: peerLog.log });
  const ingressOptions: IngressOptions = {
    nodeName: "test-ingress",
    listeners: [{
      site: "test",
      host: options.ingressHost ?? "127.0.0.1",
      port: 0,
      rules: RuleSet.fromEntries(options.rules ?? [{ match: ".*", peer: "cloud" }]),
      ...(options.ingressProtocol !== undefined ? { protocol: options.ingressProtocol } : {}),
      ...(options.ingressTargetPort !== undefined ? { targetPort: options.ingressTargetPort } : {}),
      ...(options.ingressListenerTls !== undefined
        ? { tls: { cert: Buffer.from(options.ingressListenerTls.cert), key: Buffer.from(options.ingressListenerTls.key) } }
        : {}),
      ...(options.ingressAuth !== undefined ? { auth: { users: options.ingressAuth } } : {}),
      ...(options.ingressClients !== undefined ? { clients: ClientNetworks.fromStrings(options.ingressClients) } : {}),
    }],
    peers: new Map([["cloud", {
      name: "cloud",
      host: "127.0.0.1",
      port: options.peerPort ?? peer.port,
      servername: options.peerServername ?? "localhost",
      ...(options.peerMode !== undefined ? { mode: options.peerMode } : {}),
      ...(options.peerPool !== undefined ? { pool: options.peerPool } : {}),
      ...(options.peerVia !== undefined ? { via: options.peerVia } : {}),
    }]]),
    tls: material(pki.ca.cert, options.ingressCert ?? pki.ingress),
    keyExchangeGroups: DEFAULT_KEY_EXCHANGE_GROUPS,
    limits: { ...TEST_INGRESS_LIMITS, ...options.ingressLimits },
  };
  const ingress = await startIngress(ingressOptions, {
    log: ingressLog.log, ...(options.ingressMetrics !== undefined ? { metrics: options.ingressMetrics } : {}),
  }).catch(async (err: unknown) => {
    await peer.close();
    throw err;
  });
  return {
    ingress,
    peer,
    ingressPort: (ingress.listeners[0] as { port: number }).port,
    ingressLog,
    peerLog,
    ingressOptions,
    peerOptions,
    close: async () => {
      await ingress.close();
      await peer.close();
    },
  };
}
