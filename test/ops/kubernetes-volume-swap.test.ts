// A Kubernetes config update as the node sees it (issue 12): the pod's projected volume (the
// ConfigMap's config and the Secret's certificates, as deploy/kubernetes mounts them) is updated by
// the kubelet's atomic swap of its `..data` symlink. Done here exactly that way under a running
// peer: one reload, after which the new allow list and the new certificate are in force, and a
// tunnel opened before the swap keeps flowing.
import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { writeAtomicVolume } from "../helpers/atomic-volume.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";
import { issueTestCert, testPki, TEST_SERVER_NAMES } from "../helpers/pki.ts";
import type { TestPki } from "../helpers/pki.ts";
import { presentedFingerprint } from "../helpers/presented-certificate.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";

let workspace: OpsWorkspace;
let pki: TestPki;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-volume-swap-");
  pki = await testPki();
});

afterAll(() => workspace.close());

/** The peer config as the ConfigMap holds it, allowing `allow` (a host regex). */
const peerYaml = (allow: string): string => [
  "listen: 127.0.0.1:0",
  "tls: { ca: pki/ca.crt, cert: pki/tls.crt, key: pki/tls.key }",
  "allow:",
  `  - match: '${allow}'`,
  "    addresses: [127.0.0.0/8]", // the test's services are on loopback, which the peer admits only when told
  "shutdownGraceMs: 200",
  "",
].join("\n");

describe("the kubelet's atomic ..data swap under a running node", () => {
  it("reloads once, with the new allow list and the new certificate in force", async () => {
    const volume = join(workspace.dir, "etc-tlsbridge");
    const renewed = await issueTestCert({ names: TEST_SERVER_NAMES });
    await writeAtomicVolume(volume, {
      "peer.yaml": peerYaml("localhost"),
      "pki/ca.crt": pki.ca.cert, "pki/tls.crt": pki.peer.cert, "pki/tls.key": pki.peer.key,
    }, "2026_12_02_22_00_00.000000001");
    const peer = workspace.startNode("peer", join(volume, "peer.yaml"));
    const peerPort = portOf(await peer.waitFor("listening"));
    // The ingress routes both names; the peer's allow list decides.
    const ingressConfig = await workspace.writeIngressConfig("ingress.yaml", peerPort);
    await writeFile(join(workspace.dir, "sites", "hq.yaml"), "rules:\n  - match: 'localhost|127[.]0[.]0[.]1'\n    peer: cloud\n");
    const ingressPort = portOf(await workspace.startNode("ingress", ingressConfig).waitFor("listening"));
    const echo = `:${workspace.echo.port}`;

    expect(await presentedFingerprint(peerPort, [pki.ca.cert])).toBe(new X509Certificate(pki.peer.cert).fingerprint256);
    expect((await connectThrough(ingressPort, `127.0.0.1${echo}`)).status).toBe(403);
    const open = await connectThrough(ingressPort, `localhost${echo}`);
    expect(open.status).toBe(200);
    const received = readToEnd(open.socket, open.rest);
    open.socket.write("before the swap;");

    await writeAtomicVolume(volume, {
      "peer.yaml": peerYaml("localhost|127[.]0[.]0[.]1"),
      "pki/ca.crt": pki.ca.cert, "pki/tls.crt": renewed.cert, "pki/tls.key": renewed.key,
    }, "2026_12_02_22_05_00.000000002");
    const reloaded = await peer.waitFor("config.reloaded", undefined, 30_000);
    expect(reloaded.trigger).toBe("file");

    expect(await presentedFingerprint(peerPort, [pki.ca.cert])).toBe(new X509Certificate(renewed.cert).fingerprint256);
    const allowed = await connectThrough(ingressPort, `127.0.0.1${echo}`);
    expect(allowed.status).toBe(200);
    allowed.socket.destroy();
    open.socket.end("after it");
    expect((await received).data.toString()).toBe("before the swap;after it");
    // One reload for the whole swap (a late event of it would find every file unchanged: config.unchanged).
    expect(peer.lines.filter((l) => l.event === "config.reloaded")).toHaveLength(1);
    expect(peer.lines.filter((l) => l.event === "config.rejected")).toEqual([]);
  });
});
