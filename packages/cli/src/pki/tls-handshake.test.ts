// The certificates must work where it matters: a real TLS 1.3 mTLS handshake on loopback, shaped
// like ingress -> peer. Kept beside the code (not in test/) because it proves the profiles this
// module issues, it needs no other package, and it runs in a few milliseconds.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:tls";
import type { TLSSocket } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { issueCa, issueIngressCert, issuePeerCert } from "./index.ts";
import type { IssuedCertificate } from "./index.ts";

interface Outcome {
  /** What the server wrote after a completed handshake ("" when none). */
  readonly received: string;
  readonly clientError: (Error & { code?: string }) | undefined;
  readonly serverError: (Error & { code?: string }) | undefined;
  /** CN of the client certificate the server accepted. */
  readonly serverSawClient: string | undefined;
  /** Why the server did not authorize the client (only seen when it does not reject outright). */
  readonly serverAuthorizationError: string | undefined;
}

// One server and one client, both as the nodes will configure them; resolves when both sides
// are done (secure connection or error), whichever way the handshake went.
async function handshake(
  server: { ca: string; cert: IssuedCertificate; rejectUnauthorized?: boolean },
  client: { ca: string; cert: IssuedCertificate; servername?: string },
): Promise<Outcome> {
  const tlsServer = createServer({
    requestCert: true,
    rejectUnauthorized: server.rejectUnauthorized ?? true,
    ca: server.ca,
    cert: server.cert.cert,
    key: server.cert.key,
    minVersion: "TLSv1.3",
  });
  let serverError: Outcome["serverError"];
  let serverSawClient: string | undefined;
  let serverAuthorizationError: string | undefined;
  const serverDone = new Promise<void>((resolve) => {
    tlsServer.on("secureConnection", (socket: TLSSocket) => {
      serverSawClient = String(socket.getPeerCertificate().subject?.CN);
      // Node sets a code string here although @types/node says Error.
      const reason: unknown = socket.authorizationError;
      serverAuthorizationError = reason instanceof Error ? reason.message : (reason as string | undefined);
      socket.end("hello from peer");
      resolve();
    });
    tlsServer.on("tlsClientError", (err) => {
      serverError = err;
      resolve();
    });
  });
  tlsServer.listen(0, "127.0.0.1");
  await once(tlsServer, "listening");
  const { port } = tlsServer.address() as AddressInfo;
  try {
    const clientResult = await new Promise<{ received: string; error: Outcome["clientError"] }>((resolve) => {
      const socket = connect({
        host: "127.0.0.1",
        port,
        servername: client.servername ?? "localhost",
        ca: client.ca,
        cert: client.cert.cert,
        key: client.cert.key,
        minVersion: "TLSv1.3",
      });
      let received = "";
      let error: Outcome["clientError"];
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (received += chunk));
      socket.on("error", (err) => (error = err));
      socket.on("close", () => resolve({ received, error }));
    });
    // A server that rejected nothing and heard nothing (client aborted before its Finished) would
    // never resolve; the client's close is the bound.
    await Promise.race([serverDone, new Promise((r) => setTimeout(r, 1000))]);
    return {
      received: clientResult.received,
      clientError: clientResult.error,
      serverError,
      serverSawClient,
      serverAuthorizationError,
    };
  } finally {
    tlsServer.close();
  }
}

describe("mTLS handshake with issued certificates", () => {
  let ca: IssuedCertificate;
  let other: IssuedCertificate;
  let peer: IssuedCertificate;
  let ingress: IssuedCertificate;

  beforeAll(async () => {
    [ca, other] = await Promise.all([issueCa({ commonName: "handshake CA" }), issueCa({ commonName: "other CA" })]);
    [peer, ingress] = await Promise.all([
      issuePeerCert(ca, { names: ["localhost", "127.0.0.1", "::1"] }),
      issueIngressCert(ca, { names: ["ingress.tlsbridge.test"] }),
    ]);
  });

  it("succeeds both ways with the peer's server cert and the ingress's client cert", async () => {
    const outcome = await handshake({ ca: ca.cert, cert: peer }, { ca: ca.cert, cert: ingress });
    expect(outcome.clientError).toBeUndefined();
    expect(outcome.serverError).toBeUndefined();
    expect(outcome.received).toBe("hello from peer");
    expect(outcome.serverSawClient).toBe("ingress.tlsbridge.test");
  });

  it("the peer rejects a client certificate from another CA", async () => {
    const stranger = await issueIngressCert(other, { names: ["ingress.tlsbridge.test"] });
    const outcome = await handshake({ ca: ca.cert, cert: peer }, { ca: ca.cert, cert: stranger });
    expect(outcome.received).toBe("");
    expect(outcome.serverSawClient).toBeUndefined();
    // Node's server verifies the client after OpenSSL's handshake and destroys the socket without
    // an alert, so the TLS 1.3 client sees only a close; the server never reports a connection.
    expect(outcome.serverError).toBeDefined();

    // The same server, told only to observe, says why: the signature does not chain to its CA.
    const observed = await handshake(
      { ca: ca.cert, cert: peer, rejectUnauthorized: false },
      { ca: ca.cert, cert: stranger },
    );
    expect(observed.serverAuthorizationError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("the ingress rejects a server certificate for the wrong name", async () => {
    const wrong = await issuePeerCert(ca, { names: ["wrong.tlsbridge.test"] });
    const outcome = await handshake({ ca: ca.cert, cert: wrong }, { ca: ca.cert, cert: ingress });
    expect(outcome.received).toBe("");
    expect(outcome.clientError?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("the ingress rejects an expired server certificate", async () => {
    const now = Date.now();
    const expired = await issuePeerCert(ca, {
      names: ["localhost"],
      notBefore: new Date(now - 2 * 86_400_000),
      notAfter: new Date(now - 86_400_000),
    });
    const outcome = await handshake({ ca: ca.cert, cert: expired }, { ca: ca.cert, cert: ingress });
    expect(outcome.received).toBe("");
    expect(outcome.clientError?.code).toBe("CERT_HAS_EXPIRED");
  });

  it("the ingress rejects a server certificate from another CA", async () => {
    const foreign = await issuePeerCert(other, { names: ["localhost"] });
    const outcome = await handshake({ ca: ca.cert, cert: foreign }, { ca: ca.cert, cert: ingress });
    expect(outcome.received).toBe("");
    expect(outcome.clientError?.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("the EKU is enforced: a client certificate cannot serve as the peer's server certificate", async () => {
    const clientOnly = await issueIngressCert(ca, { names: ["localhost"] });
    const outcome = await handshake({ ca: ca.cert, cert: clientOnly }, { ca: ca.cert, cert: ingress });
    expect(outcome.received).toBe("");
    expect(outcome.clientError?.code).toBe("INVALID_PURPOSE");
  });
});
