// The real `tlsbridge ingress` with proxy authentication: a changed users file is picked up by the
// file watcher like any file the config names, and applies to the next request. No peer is needed:
// 407 is answered before routing, and a client that passes gets 502 (the peer is down) instead.
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { portOf, startNode, usersFileLine, writeAuthIngressConfig } from "../helpers/ops-nodes.ts";
import type { OpsNode } from "../helpers/ops-nodes.ts";

const basic = (user: string, password: string): string => `Proxy-Authorization: Basic ${Buffer.from(`${user}:${password}`).toString("base64")}\r\n`;

describe("users file reload in the real program", () => {
  let dir: string;
  let node: OpsNode;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tlsbridge-users-reload-"));
    await writeAuthIngressConfig(dir, await usersFileLine("alice", "alice-pw"));
    node = startNode("ingress", "ingress.yaml", dir);
  });
  afterAll(async () => {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses bob until the users file names him, then lets him through to routing", async () => {
    const port = portOf(await node.waitFor("listening"));
    const before = await connectThrough(port, "localhost:80", basic("bob", "bob-pw"));
    expect(before.status).toBe(407);
    before.socket.destroy();
    expect(await node.waitFor("auth.denied", (l) => l.user === "bob")).toMatchObject({ reason: "user" });

    // Replaced by rename, as editors and `tlsbridge auth add` do.
    await writeFile(join(dir, "users.next"), (await usersFileLine("alice", "alice-pw")) + (await usersFileLine("bob", "bob-pw")));
    await rename(join(dir, "users.next"), join(dir, "users.htpasswd"));
    const reloaded = await node.waitFor("config.reloaded");
    expect(reloaded.trigger).toBe("file");

    const after = await connectThrough(port, "localhost:80", basic("bob", "bob-pw"));
    expect(after.status).toBe(502); // past authentication and routing; the peer is down
    after.socket.destroy();
    expect(await node.waitFor("auth.granted", (l) => l.user === "bob")).toMatchObject({ cached: false });
    expect(JSON.stringify(node.lines)).not.toContain("bob-pw");
  });
});
