// Regression (issue 15): a failed TLS handshake on an HTTPS-proxy listener was logged only at
// debug, so a client that does not trust the listener's certificate, or one that sends plain HTTP
// to the TLS port, failed with nothing in the log at the default level. Now each is logged at info
// as client.tls.failed with OpenSSL's reason, at most once a minute per client address.
import { execFile } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPki, writeTestPki } from "../helpers/pki.ts";
import type { TestPkiFiles } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const run = promisify(execFile);

/** A plain-text CONNECT sent to the TLS port from `from`; resolves once the ingress closed the connection. */
async function plainToTlsPort(port: number, from: string): Promise<void> {
  const socket = net.connect({ port, host: "127.0.0.1", localAddress: from });
  socket.on("error", () => {}); // a reset is one way to be refused
  socket.write("CONNECT localhost:80 HTTP/1.1\r\nHost: localhost:80\r\n\r\n");
  socket.resume();
  await once(socket, "close");
}

describe("failed client handshakes on an HTTPS-proxy listener", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  let files: TestPkiFiles;
  beforeAll(async () => {
    echo = await startEchoService();
    files = await writeTestPki();
    nodes = await startTwoNodes({ ingressListenerTls: (await testPki()).peer });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it("logs a client that does not trust the certificate, and plain HTTP, at info with the reason, once per address", async () => {
    // curl trusting another CA: it refuses the listener's certificate with an alert.
    const curl = await run("curl", [
      "-sS", "--max-time", "10", "-p", "--proxy", `https://localhost:${nodes.ingressPort}`, "--proxy-cacert", files.otherCa.cert,
      `http://localhost:${echo.port}/`,
    ]).catch((err: { stderr: string }) => err);
    expect(curl.stderr).toMatch(/certificate/i);
    const untrusted = await nodes.ingressLog.waitFor("client.tls.failed");
    expect(untrusted).toMatchObject({ level: 30, client: "127.0.0.1", kind: "certificate", site: "test" });
    expect(untrusted.reason).toMatch(/unknown ca.*does not trust this listener's certificate/);

    // Plain text from the same address within the minute: not logged again.
    await plainToTlsPort(nodes.ingressPort, "127.0.0.1");
    // From another address: logged, with the hint.
    await plainToTlsPort(nodes.ingressPort, "127.0.0.2");
    const plain = await nodes.ingressLog.waitFor("client.tls.failed", (l) => l.client === "127.0.0.2");
    expect(plain).toMatchObject({ level: 30, kind: "protocol" });
    expect(plain.reason).toMatch(/not TLS: plain HTTP sent to the HTTPS-proxy port\?/);
    expect(nodes.ingressLog.events("client.tls.failed").filter((l) => l.client === "127.0.0.1")).toHaveLength(1);
  });
});
