// Regression (issue 15): turning TLS on for a listener by a reload was refused with "reload not
// applied: the listeners changed, restart the node" and `changes: ["listeners: hq -> hq (sites,
// order or TLS differ)"]`, which names neither the listener nor what changed. Now the real program
// names both, in the message and in `changes`, and keeps serving on the running config.
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../helpers/services.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-restart-needed-");
});

afterAll(() => workspace.close());

describe("a reload that needs a restart", () => {
  it("names the listener and the change, and keeps the running listener as it was", async () => {
    const config = await workspace.writeIngressConfig("ingress.yaml", await closedPort());
    const node = workspace.startNode("ingress", config);
    const listening = await node.waitFor("listening");
    const address = "127.0.0.1:0"; // as configured

    const text = await readFile(config, "utf8");
    await writeFile(config, text.replace("    rules: sites/hq.yaml", "    rules: sites/hq.yaml\n    tls: { cert: pki/peer.pem, key: pki/peer-key.pem }"));
    node.signal("SIGHUP");
    const refused = await node.waitFor("config.restart.needed");
    expect(refused).toMatchObject({ level: 40, applied: false, changes: [`listener hq (${address}): TLS off -> on`] });
    expect(refused.msg).toBe(`reload not applied, restart the node to apply it: listener hq (${address}): TLS off -> on`);

    const still = await connectThrough(portOf(listening), "localhost:80"); // plain CONNECT still answered
    expect(still.status).toBe(502); // routed; the peer's port is closed
    still.socket.destroy();
  });
});
