// TLS 1.3 only between the nodes (ARCHITECTURE.md, step 4), checked from both ends (issue 9: no test
// covered it). A client limited to TLS 1.2, with a valid client certificate from the CA, is refused
// by the peer at the handshake (protocol_version alert; logged as auth.denied reason `protocol`, no
// tunnel); and an ingress dialing a peer that speaks only TLS 1.2 refuses it: the client gets 502
// tls_protocol_error and nothing is sent over that connection.
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { testPki } from "../helpers/pki.ts";
import { listenOnLoopbackTracked, startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { expectServed, proxyStatusOf } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";

/** Handshakes with `port` as `options` say: the version agreed, or the error that ended it. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<{ version?: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ...options });
    socket.once("secureConnect", () => {
      const version = socket.getProtocol() ?? undefined;
      socket.destroy();
      resolve({ version });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve({ error }));
  });
}

describe("TLS 1.2 between the nodes", () => {
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
  });
  afterAll(async () => {
    await echo.close();
  });

  it("the peer refuses a TLS 1.2-only client that has a valid client certificate", async () => {
    const pki = await testPki();
    const nodes = await startTwoNodes();
    try {
      const client = { ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key };
      // The same client on TLS 1.3 gets in: the refusal below is about the version, nothing else.
      expect(await handshake(nodes.peer.port, client)).toEqual({ version: "TLSv1.3" });
      const old = await handshake(nodes.peer.port, { ...client, maxVersion: "TLSv1.2" });
      expect(old.version).toBeUndefined();
      expect(old.error?.code).toMatch(/^ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL)$/);
      const denied = await nodes.peerLog.waitFor("auth.denied");
      expect(denied).toMatchObject({ reason: "protocol" });
      expect(nodes.peerLog.events("tunnel.open")).toHaveLength(0);
      await expectServed(nodes.ingressPort, echo.port);
    } finally {
      await nodes.close();
    }
  });

  it("the ingress refuses a peer that speaks only TLS 1.2: 502 tls_protocol_error", async () => {
    const pki = await testPki();
    let heard = 0;
    const oldPeer = tls.createServer({
      cert: pki.peer.cert, key: pki.peer.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true,
      minVersion: "TLSv1.2", maxVersion: "TLSv1.2",
    }, (socket) => {
      socket.on("error", () => {});
      socket.on("data", () => (heard += 1)); // the ingress must never get as far as a CONNECT
    });
    const handshakeErrors: string[] = [];
    oldPeer.on("tlsClientError", (err: NodeJS.ErrnoException) => handshakeErrors.push(String(err.code)));
    const fake = await listenOnLoopbackTracked(oldPeer as unknown as net.Server);
    // The fake itself works on TLS 1.2, so the refusal below is the ingress's.
    expect(await handshake(fake.port, { ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key, maxVersion: "TLSv1.2" }))
      .toEqual({ version: "TLSv1.2" });
    const nodes = await startTwoNodes({ peerPort: fake.port });
    try {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      reply.socket.destroy();
      expect(reply.status).toBe(502);
      expect(proxyStatusOf(reply.headers)).toMatch(/^test-ingress; error=tls_protocol_error; /);
      expect((await nodes.ingressLog.waitFor("peer.dial.failed")).code).toBe("TLSB_ERR_PEER_TLS");
      // The handshake failed on the version (no version in common), not on something else.
      expect(handshakeErrors).toHaveLength(1);
      expect(handshakeErrors[0]).toMatch(/^ERR_SSL_(UNSUPPORTED_PROTOCOL|TLSV1_ALERT_PROTOCOL_VERSION)$/);
      expect(heard).toBe(0);
    } finally {
      await nodes.close();
      await fake.close();
    }
  });
});
