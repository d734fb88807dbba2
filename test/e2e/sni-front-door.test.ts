// An SNI listener: clients speak TLS straight to the ingress (their name resolves to it), the
// ClientHello's server_name routes the tunnel, and the hello goes to the service unchanged, so the
// client verifies the service's own certificate end to end. curl --resolve and openssl s_client, both
// peer modes; refusals are TLS alerts the clients name, and log lines with the reason.
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPki } from "../helpers/pki.ts";
import { startHttpService, startHttpsService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { LOOPBACK_ADDRESSES } from "../helpers/loopback-addresses.ts";

const run = promisify(execFile);

type Outcome = { readonly code: number | null; readonly stdout: string; readonly stderr: string };

/** Runs openssl s_client with `args`, writing `input` to it; resolves when it exits. */
function sClient(args: readonly string[], input: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn("openssl", ["s_client", ...args], { stdio: ["pipe", "pipe", "pipe"], timeout: 10_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** curl with `args`: its exit code and output, whether it succeeded or not. */
async function curl(args: readonly string[]): Promise<Outcome> {
  return await run("curl", ["-sS", "--max-time", "10", ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe.each(["h1", "h2"] as const)("SNI listener, peer mode %s", (peerMode) => {
  let nodes: TwoNodes;
  let secure: TestService;
  let plain: TestService;
  let caFile: string;
  beforeAll(async () => {
    const pki = await testPki();
    caFile = join(tmpdir(), `tlsbridge-sni-ca-${process.pid}.pem`);
    await writeFile(caFile, pki.ca.cert);
    secure = await startHttpsService(pki.service.cert, pki.service.key);
    plain = await startHttpService();
    nodes = await startTwoNodes({
      ingressProtocol: "sni",
      ingressTargetPort: secure.port,
      peerMode,
      rules: [{ match: "localhost|denied[.]test", peer: "cloud" }],
      allow: [{ match: "localhost", addresses: LOOPBACK_ADDRESSES }],
    });
  });
  afterAll(async () => {
    await nodes.close();
    await secure.close();
    await plain.close();
  });

  it("carries curl --resolve NAME:PORT:127.0.0.1 to the HTTPS service, curl verifying its certificate", async () => {
    const got = await curl(["--resolve", `localhost:${nodes.ingressPort}:127.0.0.1`, "--cacert", caFile,
      `https://localhost:${nodes.ingressPort}/hello`]);
    expect(got).toMatchObject({ code: 0, stdout: "secure hello from /hello" });
    const open = await nodes.ingressLog.waitFor("tunnel.open", (l) => l.target === `localhost:${secure.port}`);
    expect(open.protocol).toBe("sni");
  });

  it("carries openssl s_client -servername, which verifies the service's certificate", async () => {
    const got = await sClient(["-connect", `127.0.0.1:${nodes.ingressPort}`, "-servername", "localhost", "-CAfile", caFile,
      "-verify_return_error", "-verify_hostname", "localhost", "-brief", "-ign_eof"], "GET /openssl HTTP/1.0\r\n\r\n");
    expect(got.stderr).toMatch(/Verification: OK/);
    expect(got.stdout).toContain("secure hello from /openssl");
  });

  it("refuses a name no rule matches with the unrecognized_name alert, logged as route.miss", async () => {
    const got = await curl(["--resolve", `other.example:${nodes.ingressPort}:127.0.0.1`, "--cacert", caFile,
      `https://other.example:${nodes.ingressPort}/`]);
    expect(got.code).toBe(35);
    expect(got.stderr).toMatch(/unrecognized name/);
    await nodes.ingressLog.waitFor("route.miss", (l) => l.target === `other.example:${secure.port}` && l.protocol === "sni");
  });

  it("refuses a name the peer does not allow with the access_denied alert", async () => {
    const got = await curl(["--resolve", `denied.test:${nodes.ingressPort}:127.0.0.1`, "--cacert", caFile,
      `https://denied.test:${nodes.ingressPort}/`]);
    expect(got.stderr).toMatch(/access denied/);
  });

  it("refuses a hello without a name with the missing_extension alert, logged with the reason", async () => {
    const got = await sClient(["-connect", `127.0.0.1:${nodes.ingressPort}`, "-noservername", "-CAfile", caFile], "");
    expect(got.code).not.toBe(0);
    expect(`${got.stdout}${got.stderr}`).toMatch(/missing extension|alert number 109/);
    await nodes.ingressLog.waitFor("request.rejected", (l) => l.code === "TLSB_ERR_NO_SNI" && l.protocol === "sni");
  });

  it("closes on a client that is not TLS (curl http://), logged with the first byte", async () => {
    const got = await curl([`http://127.0.0.1:${nodes.ingressPort}/`]);
    expect(got.code).toBe(52); // empty reply from server: nothing is sent to a client that is not TLS
    await nodes.ingressLog.waitFor("request.rejected", (l) => l.code === "TLSB_ERR_BAD_HELLO" && /first byte 0x47/.test(String(l.reason)));
  });
});
