// Hot reload of real tlsbridge processes, while one tunnel keeps carrying data: the peer's
// certificate is rotated (a new one from the same CA, then one from a NEW CA after the ingress's CA
// bundle gained that CA), the ingress's rule file is rewritten, then broken. The open tunnel
// survives every step; new tunnels see the new certificate and rules; the broken rule file is
// rejected with file:line:col and the rules before it keep serving.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuePeerCert } from "../../packages/cli/src/pki/index.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { testPki, TEST_SERVER_NAMES } from "../helpers/pki.ts";
import type { TestPki } from "../helpers/pki.ts";
import { presentedFingerprint } from "../helpers/presented-certificate.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { LogLine, OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;
let pki: TestPki;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-reload-");
  pki = await testPki();
});

afterAll(() => workspace.close());

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** Waits for the next `event` line after the first `from` lines. */
function next(node: OpsNode, event: string, from: number): Promise<LogLine> {
  return node.waitFor(event, (l) => node.lines.indexOf(l) >= from);
}

describe("hot reload with a transfer running", () => {
  it("rotates certificates (same CA, new CA) and rules; rejects a broken rule file and keeps the old rules", async () => {
    const { dir, echo } = workspace;
    const peerConfig = join(dir, "peer.yaml");
    await writeFile(peerConfig, [
      "listen: 127.0.0.1:0",
      "tls: { ca: pki/ca.pem, cert: pki/peer-live.pem, key: pki/peer-live-key.pem }",
      "allow:",
      "  - match: 'localhost|127[.]0[.]0[.]1'",
      "    addresses: [127.0.0.0/8, '::1']",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    await writeFile(join(dir, "pki", "peer-live.pem"), pki.peer.cert);
    await writeFile(join(dir, "pki", "peer-live-key.pem"), pki.peer.key);
    const peer = workspace.startNode("peer", peerConfig);
    const peerPort = portOf(await peer.waitFor("listening"));

    const rules = join(dir, "sites", "hq.yaml");
    await writeFile(rules, "rules:\n  - match: localhost\n    peer: cloud\n");
    await writeFile(join(dir, "pki", "trusted.pem"), pki.ca.cert);
    const ingressConfig = join(dir, "ingress.yaml");
    await writeFile(ingressConfig, [
      "listeners:",
      "  - listen: 127.0.0.1:0",
      "    rules: sites/hq.yaml",
      "peers:",
      `  cloud: { address: '127.0.0.1:${peerPort}', servername: localhost }`,
      "tls: { ca: pki/trusted.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const ingress = workspace.startNode("ingress", ingressConfig);
    const port = portOf(await ingress.waitFor("listening"));

    // The long transfer: a tunnel to the echo service that stays open through every reload.
    const long = await connectThrough(port, `localhost:${echo.port}`);
    expect(long.status).toBe(200);
    const echoed = readToEnd(long.socket, long.rest);
    long.socket.write("before reloads;");
    expect(await presentedFingerprint(peerPort, [pki.ca.cert, pki.otherCa.cert])).toBe(fingerprintOf(pki.peer.cert));

    // 1. A new peer certificate from the same CA, picked up by the file watcher.
    const sameCa = await issuePeerCert(pki.ca, { names: TEST_SERVER_NAMES });
    let mark = peer.lines.length;
    await writeFile(join(dir, "pki", "peer-live-key.pem"), sameCa.key);
    await writeFile(join(dir, "pki", "peer-live.pem"), sameCa.cert);
    expect(await next(peer, "config.reloaded", mark)).toMatchObject({ trigger: "file" });
    // Only the certificate that changed is logged again, not the CA (issue 15: every certificate was).
    const rotated = peer.lines.slice(mark).filter((l) => l.event === "cert.loaded");
    expect(rotated).toEqual([expect.objectContaining({ file: "pki/peer-live.pem", certRole: "cert", role: "peer", fingerprint256: fingerprintOf(sameCa.cert) })]);
    expect(await presentedFingerprint(peerPort, [pki.ca.cert, pki.otherCa.cert])).toBe(fingerprintOf(sameCa.cert));
    const first = await connectThrough(port, `localhost:${echo.port}`);
    expect(first.status).toBe(200);
    first.socket.destroy();
    long.socket.write("after same-CA rotation;");

    // 2. A certificate from a new CA: the ingress's bundle first (reloaded on SIGHUP), then the peer.
    mark = ingress.lines.length;
    // Glued without a newline, as `cat` does with files that lack one: the loader must still
    // hand OpenSSL both CAs (it re-emits the certificates it parsed).
    await writeFile(join(dir, "pki", "trusted.pem"), pki.ca.cert + pki.otherCa.cert);
    ingress.signal("SIGHUP");
    await next(ingress, "config.reloaded", mark);
    mark = peer.lines.length;
    await writeFile(join(dir, "pki", "peer-live-key.pem"), pki.otherCaPeer.key);
    await writeFile(join(dir, "pki", "peer-live.pem"), pki.otherCaPeer.cert);
    await next(peer, "config.reloaded", mark);
    expect(await presentedFingerprint(peerPort, [pki.ca.cert, pki.otherCa.cert])).toBe(fingerprintOf(pki.otherCaPeer.cert));
    const second = await connectThrough(port, `localhost:${echo.port}`);
    expect(second.status).toBe(200); // the ingress verified the new CA's certificate
    second.socket.destroy();
    long.socket.write("after new-CA rotation;");

    // 3. New rules: 127.0.0.1 was refused, now it is routed.
    expect((await connectThrough(port, `127.0.0.1:${echo.port}`)).status).toBe(403);
    mark = ingress.lines.length;
    await writeFile(rules, "rules:\n  - match: localhost\n    peer: cloud\n  - match: '127[.]0[.]0[.]1'\n    peer: cloud\n");
    await next(ingress, "config.reloaded", mark);
    expect(ingress.lines.slice(mark).filter((l) => l.event === "cert.loaded")).toEqual([]); // no certificate changed
    const third = await connectThrough(port, `127.0.0.1:${echo.port}`);
    expect(third.status).toBe(200);
    third.socket.destroy();
    long.socket.write("after new rules;");

    // 4. A broken rule file: rejected with file:line:col, the rules of step 3 keep serving.
    mark = ingress.lines.length;
    await writeFile(rules, "rules:\n  - match: localhost\n    peer: cloud\n  - match: '('\n    peer: cloud\n");
    const rejected = await next(ingress, "config.rejected", mark);
    expect(rejected).toMatchObject({ level: 50, reload: true, trigger: "file" });
    expect(rejected.errors).toEqual(["sites/hq.yaml:4:12: invalid regular expression: missing closing ): `(`"]);
    expect(ingress.lines.slice(mark).some((l) => l.event === "config.reloaded")).toBe(false);
    const fourth = await connectThrough(port, `127.0.0.1:${echo.port}`);
    expect(fourth.status).toBe(200);
    fourth.socket.destroy();

    // The transfer that ran through all of it completes, every byte echoed.
    long.socket.end("done");
    const sent = "before reloads;after same-CA rotation;after new-CA rotation;after new rules;done";
    expect((await echoed).data.toString()).toBe(sent);
    const closed = await ingress.waitFor("tunnel.close", (l) => l.target === `localhost:${echo.port}` && l.bytesUp === sent.length);
    expect(closed.outcome).toBe("done");
  });
});
