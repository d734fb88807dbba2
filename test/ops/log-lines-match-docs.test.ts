// Issue 15: the log lines disagreed with docs/log-events.md (`startup` documented `node, pid` and
// written `nodeVersion, config`; `shutdown`, `config.loaded` and `time` likewise), and some lines
// carried one JSON key twice (`role` on every ingress line, `node` in config.loaded; in
// cert.loaded the certificate's role overwrote the node's). Real nodes run a tunnel, a refusal,
// a reload and a shutdown here, and every line either writes is checked against the document:
// its event is documented for that node, every field is documented (common or for the event), and
// no key appears twice at any level.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { visit } from "jsonc-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";
import { REPO_ROOT } from "../cli/run-tlsbridge.ts";

/** The document's promises: common fields, and per event the nodes that write it and its fields. */
function readLogDoc(): { common: Set<string>; events: Map<string, { node: string; fields: Set<string> }> } {
  const doc = readFileSync(join(REPO_ROOT, "docs", "log-events.md"), "utf8");
  const names = (text: string): Set<string> => new Set([...text.matchAll(/`([A-Za-z0-9_]+)`/g)].map((m) => m[1] as string));
  const commonParagraph = doc.slice(doc.indexOf("Common fields:"), doc.indexOf("| event |"));
  const events = new Map<string, { node: string; fields: Set<string> }>();
  for (const m of doc.matchAll(/^\| `([a-z0-9.]+)` \| ([a-z]+) \| [^|]+ \| [^|]+ \| (.+) \|$/gm)) {
    events.set(m[1] as string, { node: m[2] as string, fields: names(m[3] as string) });
  }
  return { common: names(commonParagraph), events };
}

/** Keys written more than once in one JSON object of `text`, at any depth. */
function duplicateKeys(text: string): string[] {
  const stack: Array<Set<string>> = [];
  const twice: string[] = [];
  visit(text, {
    onObjectBegin: () => void stack.push(new Set()),
    onObjectEnd: () => void stack.pop(),
    onObjectProperty: (name) => {
      const keys = stack.at(-1);
      if (keys?.has(name) === true) twice.push(name);
      keys?.add(name);
    },
  });
  return twice;
}

let workspace: OpsWorkspace;
let peer: OpsNode;
let ingress: OpsNode;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-log-doc-");
});

afterAll(() => workspace.close());

describe("log lines match docs/log-events.md", () => {
  it("every line of a tunnel, a refusal, a reload and a shutdown is documented, without a key written twice", async () => {
    peer = workspace.startNode("peer", await workspace.writePeerConfig("peer.yaml", ["shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    const config = await workspace.writeIngressConfig("ingress.yaml", peerPort, ["shutdownGraceMs: 200"]);
    ingress = workspace.startNode("ingress", config);
    const port = portOf(await ingress.waitFor("listening"));

    const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.end("ping");
    expect((await readToEnd(tunnel.socket, tunnel.rest)).data.toString()).toBe("ping");
    await ingress.waitFor("tunnel.close");
    const refused = await connectThrough(port, "example.org:443");
    expect(refused.status).toBe(403);
    refused.socket.destroy();
    await ingress.waitFor("route.miss");

    ingress.signal("SIGHUP");
    await ingress.waitFor("config.reloaded");
    peer.signal("SIGHUP");
    await peer.waitFor("config.reloaded");
    expect(await ingress.stop()).toBe(0);
    expect(await peer.stop()).toBe(0);

    const { common, events } = readLogDoc();
    const problems: string[] = [];
    for (const [role, node] of [["ingress", ingress], ["peer", peer]] as const) {
      for (const text of node.raw) {
        const line = JSON.parse(text) as Record<string, unknown>;
        const event = String(line.event);
        const documented = events.get(event);
        if (documented === undefined) {
          problems.push(`${role}: event '${event}' is not documented`);
          continue;
        }
        if (documented.node !== "both" && documented.node !== role) problems.push(`${role}: '${event}' is documented for ${documented.node} only`);
        for (const key of Object.keys(line)) {
          if (!common.has(key) && !documented.fields.has(key)) problems.push(`${role}: '${event}' writes '${key}', not documented`);
        }
        for (const key of duplicateKeys(text)) problems.push(`${role}: '${event}' writes '${key}' twice`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
    // The ISO time the lines carry is what the document says.
    expect(String(ingress.lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
