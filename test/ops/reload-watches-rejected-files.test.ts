// Regression: a reload rejected because the config named a file that did not exist yet (a new users
// file for proxy auth, a new certificate) was never retried when that file appeared: the watcher
// kept watching only the files of the last accepted config, so the node kept serving the old config
// until someone sent SIGHUP. Now a rejected reload also watches the files the rejected config named,
// and creating the missing file reloads by itself. The real `tlsbridge ingress`; no peer is needed
// (407 is answered before routing, and a client that passes gets 502 from the closed peer port).
import { copyFile, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPasswordHash, hashPassword } from "@tlsbridge/ingress";
import { connectThrough } from "../helpers/connect-client.ts";
import { writeTestPki } from "../helpers/pki.ts";
import { closedPort } from "../helpers/services.ts";
import { portOf, startNode } from "../helpers/ops-nodes.ts";
import type { OpsNode } from "../helpers/ops-nodes.ts";

const basic = (user: string, password: string): string => `Proxy-Authorization: Basic ${Buffer.from(`${user}:${password}`).toString("base64")}\r\n`;

describe("a file only a rejected config names", () => {
  let dir: string;
  let node: OpsNode;
  let config: (listener: string[], tls?: { cert: string }) => Promise<void>;
  let pki: Awaited<ReturnType<typeof writeTestPki>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tlsbridge-rejected-files-"));
    pki = await writeTestPki();
    const peerPort = await closedPort();
    await writeFile(join(dir, "site.yaml"), "rules:\n  - match: '.*'\n    peer: cloud\n");
    // Written beside and renamed over, so the watcher sees one change per rewrite.
    config = async (listener, tls) => {
      await writeFile(join(dir, "ingress.next"), [
        "listeners:",
        "  - listen: 127.0.0.1:0",
        ...listener,
        `peers: { cloud: { address: '127.0.0.1:${peerPort}', servername: localhost } }`,
        `tls: { ca: ${pki.ca.cert}, cert: ${tls?.cert ?? pki.ingress.cert}, key: ${pki.ingress.key} }`,
        "",
      ].join("\n"));
      await rename(join(dir, "ingress.next"), join(dir, "ingress.yaml"));
    };
    await config(["    rules: site.yaml"]);
    node = startNode("ingress", "ingress.yaml", dir);
  });
  afterAll(async () => {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reloads when a users file the rejected config named is created", async () => {
    const port = portOf(await node.waitFor("listening"));
    await config(["    rules: site.yaml", "    auth: { users: users.htpasswd }"]);
    const rejected = await node.waitFor("config.rejected");
    expect(JSON.stringify(rejected.errors)).toContain("users.htpasswd: no such file");

    const hash = formatPasswordHash(await hashPassword("alice-pw", { ln: 14, r: 8, p: 1 }));
    await writeFile(join(dir, "users.htpasswd"), `alice:${hash}\n`);
    const reloaded = await node.waitFor("config.reloaded");
    expect(reloaded).toMatchObject({ trigger: "file" });
    expect(JSON.stringify(reloaded.files)).toContain("users.htpasswd");

    const without = await connectThrough(port, "localhost:80");
    expect(without.status).toBe(407); // auth is on now
    without.socket.destroy();
  });

  it("reloads when a certificate the rejected config named is created, and when a broken one is fixed", async () => {
    const reloads = (): number => node.lines.filter((l) => l.event === "config.reloaded").length;
    const rejections = (): number => node.lines.filter((l) => l.event === "config.rejected").length;
    const before = { reloads: reloads(), rejections: rejections() };
    await config(["    rules: site.yaml", "    auth: { users: users.htpasswd }"], { cert: "new-ingress.pem" });
    await node.waitFor("config.rejected", (l) => JSON.stringify(l.errors).includes("new-ingress.pem: no such file"));

    // Created broken (half written, say): a second rejection, about what is in the file.
    await writeFile(join(dir, "new-ingress.pem"), "not yet\n");
    await node.waitFor("config.rejected", (l) => JSON.stringify(l.errors).includes("holds no PEM certificate"));
    expect(rejections()).toBe(before.rejections + 2);

    await copyFile(pki.ingress.cert, join(dir, "new-ingress.pem"));
    const reloaded = await node.waitFor("config.reloaded", (l) => JSON.stringify(l.files).includes("new-ingress.pem"));
    expect(reloaded).toMatchObject({ trigger: "file" });
    expect(reloads()).toBe(before.reloads + 1);
  });
});
