// An ingress inside a corporate network reaches its peer only through the company's HTTP proxy
// (`via:` on the peer, issue 14): here a stock squid on loopback. Tunnels work through it in both
// peer modes, with and without Basic credentials; when the proxy refuses, asks for credentials,
// stops, stalls or answers garbage, the client gets 502/504 whose Proxy-Status names the proxy as
// the failing hop (`next-hop`), and the log says so (via.proxy.failed), never the credentials.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CorporateProxy } from "@tlsbridge/ingress";
import { RuleSet } from "@tlsbridge/rules";
import { connectThrough } from "../helpers/connect-client.ts";
import { curlThrough } from "../helpers/curl-through.ts";
import { startCorporateProxy, squidUnavailable } from "../helpers/squid-corporate-proxy.ts";
import type { CorporateProxyProcess } from "../helpers/squid-corporate-proxy.ts";
import { closedPort, listenOnLoopback, startEchoService, startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { proxyStatusOf, readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { testPki } from "../helpers/pki.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const unavailable = squidUnavailable();
const USER = "corp-user";
const PASSWORD = "s3cret-Pa55";

function via(proxy: { readonly port: number }, credentials?: string): CorporateProxy {
  return {
    name: `127.0.0.1:${proxy.port}`, host: "127.0.0.1", port: proxy.port,
    ...(credentials !== undefined ? { proxyAuthorization: `Basic ${Buffer.from(credentials).toString("base64")}` } : {}),
  };
}

/** Points the ingress's peer `cloud` at `proxy` (a reload, as an operator's config edit would). */
function reachPeerThrough(nodes: TwoNodes, proxy: CorporateProxy): void {
  const cloud = nodes.ingressOptions.peers.get("cloud");
  if (cloud === undefined) throw new Error("no peer cloud");
  nodes.ingress.reload({ ...nodes.ingressOptions, peers: new Map([["cloud", { ...cloud, via: proxy }]]) });
}

/** A stand-in for a broken proxy on loopback: accepts and then answers `reply` (or nothing). */
async function brokenProxy(reply: string | undefined): Promise<TestService> {
  return listenOnLoopback(net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => {
      if (reply !== undefined) socket.end(reply);
    });
  }));
}

describe.skipIf(unavailable !== undefined)(`peer reached through a corporate proxy (squid)${unavailable === undefined ? "" : ` (skipped: ${unavailable})`}`, () => {
  let http: TestService;
  let echo: TestService;
  beforeAll(async () => {
    http = await startHttpService();
    echo = await startEchoService();
  });
  afterAll(async () => {
    await http?.close();
    await echo?.close();
  });

  describe.each(["h1", "h2"] as const)("mode %s", (mode) => {
    let nodes: TwoNodes;
    beforeAll(async () => {
      nodes = await startTwoNodes({ peerMode: mode });
    });
    afterAll(async () => {
      await nodes?.close();
    });

    it("carries curl's request through squid, and relays the peer's own refusal without naming the proxy", async () => {
      const squid = await startCorporateProxy({ allowPorts: [nodes.peer.port] });
      try {
        reachPeerThrough(nodes, via(squid));
        expect(await curlThrough(nodes.ingressPort, `http://localhost:${http.port}/through-squid`)).toMatchObject({ code: 0, stdout: "hello from /through-squid" });
        // Squid saw the CONNECT to the peer, never the service: the service's name travels inside the
        // mTLS. It logs a CONNECT when its tunnel ends: a reload closes h2's shared connection.
        reachPeerThrough(nodes, via(squid));
        await waitUntil(async () => (await squid.accessLog()).includes(`CONNECT 127.0.0.1:${nodes.peer.port}`), "squid to log the CONNECT");
        expect(await squid.accessLog()).not.toContain(String(http.port));
        // The peer refuses a destination it does not allow: its member, no next-hop (the proxy did its part).
        const refused = await connectThrough(nodes.ingressPort, "not-allowed.example:443");
        refused.socket.destroy();
        expect(refused.status).toBe(403);
        expect(proxyStatusOf(refused.headers)).toContain("test-peer; error=destination_ip_prohibited");
        expect(proxyStatusOf(refused.headers)).not.toContain("next-hop");
      } finally {
        await squid.close();
      }
    }, 60_000);

    it("sends Basic credentials from the config; without them or with a wrong password squid's 407 is reported as such", async () => {
      const squid = await startCorporateProxy({ allowPorts: [nodes.peer.port], users: { [USER]: PASSWORD } });
      try {
        reachPeerThrough(nodes, via(squid, `${USER}:${PASSWORD}`));
        expect(await curlThrough(nodes.ingressPort, `http://localhost:${http.port}/authenticated`)).toMatchObject({ code: 0, stdout: "hello from /authenticated" });
        reachPeerThrough(nodes, via(squid, `${USER}:${PASSWORD}`));
        await waitUntil(async () => (await squid.accessLog()).includes(`CONNECT 127.0.0.1:${nodes.peer.port} ${USER} `), "squid to log the user's CONNECT");

        for (const [credentials, said] of [[undefined, "via has no credentials"], [`${USER}:wrong`, "refused our credentials"]] as const) {
          reachPeerThrough(nodes, via(squid, credentials));
          const answer = await connectThrough(nodes.ingressPort, `localhost:${http.port}`);
          answer.socket.destroy();
          // 502, not 407: the client's own proxy login is fine; the ingress's upstream login is not.
          expect(answer.status).toBe(502);
          const proxyStatus = proxyStatusOf(answer.headers);
          expect(proxyStatus).toContain("test-ingress; error=http_request_denied; received-status=407");
          expect(proxyStatus).toContain(`next-hop="${squid.name}"`);
          expect(proxyStatus).toContain(said);
          const failed = await nodes.ingressLog.waitFor("via.proxy.failed", (l) => l.code === "TLSB_ERR_CORP_PROXY_AUTH" && String(l.reason).includes(said));
          expect(failed).toMatchObject({ hop: "corporate-proxy", proxy: squid.name, receivedStatus: 407, status: 502 });
        }
        const everything = JSON.stringify(nodes.ingressLog.lines);
        expect(everything).not.toContain(PASSWORD);
        expect(everything).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString("base64"));
      } finally {
        await squid.close();
      }
    }, 60_000);

    it("a CONNECT squid denies is a 502 naming squid as the next hop, and the peer never hears of it", async () => {
      const squid = await startCorporateProxy({ allowPorts: [1], denyPorts: [nodes.peer.port] });
      try {
        reachPeerThrough(nodes, via(squid));
        const peerTunnels = nodes.peerLog.lines.length;
        const answer = await connectThrough(nodes.ingressPort, `localhost:${http.port}`);
        answer.socket.destroy();
        expect(answer.status).toBe(502);
        expect(proxyStatusOf(answer.headers)).toMatch(new RegExp(`test-ingress; error=http_request_denied; received-status=403; next-hop="${squid.name}"`));
        await nodes.ingressLog.waitFor("via.proxy.failed", (l) => l.code === "TLSB_ERR_CORP_PROXY_DENIED" && l.receivedStatus === 403);
        expect(nodes.peerLog.lines.slice(peerTunnels).filter((l) => l.event === "tunnel.open")).toHaveLength(0);
      } finally {
        await squid.close();
      }
    }, 60_000);

    it("squid stopped mid-way: the open tunnel ends, the next CONNECT is a 502 connection_refused naming squid", async () => {
      const squid = await startCorporateProxy({ allowPorts: [nodes.peer.port] });
      try {
        reachPeerThrough(nodes, via(squid));
        const tunnel = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
        expect(tunnel.status).toBe(200);
        const echoed = new Promise<string>((resolve) => tunnel.socket.once("data", (c: Buffer) => resolve(c.toString())));
        tunnel.socket.resume();
        tunnel.socket.write("before");
        expect(await echoed).toBe("before");
        const ended = readToEnd(tunnel.socket);
        await squid.process.stop();
        await ended; // a FIN or a reset: either way the client is told
        const answer = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
        answer.socket.destroy();
        expect(answer.status).toBe(502);
        expect(proxyStatusOf(answer.headers)).toContain(`test-ingress; error=connection_refused; next-hop="${squid.name}"`);
        await nodes.ingressLog.waitFor("via.proxy.failed", (l) => l.code === "TLSB_ERR_CORP_PROXY_UNREACHABLE");
      } finally {
        await squid.close();
      }
    }, 60_000);
  });

  describe("an https:// proxy, with the warm pool and TLS resumption inside it", () => {
    let nodes: TwoNodes;
    let squid: CorporateProxyProcess;
    beforeAll(async () => {
      nodes = await startTwoNodes({ peerPool: { size: 2, maxIdleMs: 2_000 }, peerLimits: { headTimeoutMs: 5_000 } });
      squid = await startCorporateProxy({ allowPorts: [nodes.peer.port], tls: (await testPki()).service });
    });
    afterAll(async () => {
      await nodes?.close();
      await squid?.close();
    });

    it("verifies the proxy against the named CA, then serves tunnels from warm connections that resumed their TLS session", async () => {
      const pki = await testPki();
      reachPeerThrough(nodes, { ...via(squid), tls: { servername: "localhost", ca: Buffer.from(pki.ca.cert) } });
      // Tunnels until one came from the pool on a resumed session (bounded by attempts, not time):
      // the pool's first dials get the peer's tickets, its refills offer them.
      const pooledAndResumed = (): boolean => nodes.ingressLog.events("tunnel.open")
        .some((l) => (l.peerTls as { pooled?: boolean; resumed?: boolean }).pooled === true && (l.peerTls as { resumed?: boolean }).resumed === true);
      for (let i = 0; i < 20 && !pooledAndResumed(); i++) {
        // The pool's two first dials plus one refill per tunnel so far: the peer accepted them all.
        await waitUntil(() => nodes.peerLog.events("auth.granted").length >= 2 + i, "the pool to refill through squid");
        expect(await curlThrough(nodes.ingressPort, `http://localhost:${http.port}/pooled-${i}`)).toMatchObject({ code: 0, stdout: `hello from /pooled-${i}` });
      }
      expect(pooledAndResumed()).toBe(true);
    }, 90_000);

    it("a proxy certificate from another CA is a 502 tls_certificate_error naming the proxy", async () => {
      const pki = await testPki();
      reachPeerThrough(nodes, { ...via(squid), tls: { servername: "localhost", ca: Buffer.from(pki.otherCa.cert) } });
      const answer = await connectThrough(nodes.ingressPort, `localhost:${http.port}`);
      answer.socket.destroy();
      expect(answer.status).toBe(502);
      expect(proxyStatusOf(answer.headers)).toContain(`test-ingress; error=tls_certificate_error; next-hop="${squid.name}"`);
    });
  });

  describe("proxies that stall or answer garbage, and failover past them", () => {
    let nodes: TwoNodes;
    beforeAll(async () => {
      nodes = await startTwoNodes({ ingressLimits: { peerConnectTimeoutMs: 1_500 } });
    });
    afterAll(async () => {
      await nodes?.close();
    });

    it("a proxy that never answers the CONNECT is a 504 connection_timeout naming it", async () => {
      const silent = await brokenProxy(undefined);
      try {
        reachPeerThrough(nodes, via(silent));
        const answer = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
        answer.socket.destroy();
        expect(answer.status).toBe(504);
        expect(proxyStatusOf(answer.headers)).toContain(`test-ingress; error=connection_timeout; next-hop="127.0.0.1:${silent.port}"`);
      } finally {
        await silent.close();
      }
    });

    it("a proxy that answers something other than HTTP is a 502 http_response_incomplete naming it", async () => {
      const garbage = await brokenProxy("SSH-2.0-OpenSSH_9.2\r\n\r\n");
      try {
        reachPeerThrough(nodes, via(garbage));
        const answer = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
        answer.socket.destroy();
        expect(answer.status).toBe(502);
        expect(proxyStatusOf(answer.headers)).toContain(`test-ingress; error=http_response_incomplete; next-hop="127.0.0.1:${garbage.port}"`);
      } finally {
        await garbage.close();
      }
    });

    it("a group member whose proxy is down is passed over for the next member, reached through squid", async () => {
      const squid = await startCorporateProxy({ allowPorts: [nodes.peer.port] });
      try {
        const cloud = nodes.ingressOptions.peers.get("cloud");
        if (cloud === undefined) throw new Error("no peer cloud");
        const down = { ...cloud, name: "behind-dead-proxy", via: via({ port: await closedPort() }) };
        nodes.ingress.reload({
          ...nodes.ingressOptions,
          peers: new Map([["behind-dead-proxy", down], ["cloud", { ...cloud, via: via(squid) }]]),
          peerGroups: new Map([["both", ["behind-dead-proxy", "cloud"]]]),
          listeners: nodes.ingressOptions.listeners.map((l) => ({ ...l, rules: RuleSet.fromEntries([{ match: ".*", peer: "both" }]) })),
        });
        // Two tunnels: whichever member the group starts with, one tunnel starts with the dead one.
        for (const path of ["/a", "/b"]) expect(await curlThrough(nodes.ingressPort, `http://localhost:${http.port}${path}`)).toMatchObject({ code: 0, stdout: `hello from ${path}` });
        const failover = await nodes.ingressLog.waitFor("peer.failover");
        expect(failover).toMatchObject({ peer: "behind-dead-proxy", next: "cloud", code: "TLSB_ERR_CORP_PROXY_UNREACHABLE" });
      } finally {
        await squid.close();
      }
    }, 60_000);
  });
});
