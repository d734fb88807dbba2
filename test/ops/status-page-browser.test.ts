// The status page in a real browser (issue 15): Debian's chromium driven by playwright-core (never a
// downloaded browser). The page loads, shows a tunnel the test holds open under its site and peer,
// and, without being reloaded, shows the peer down once the test stops it and says the node stopped
// answering once the ingress is stopped. Targets carrying markup (<script>, <img onerror>) are
// refused and show up in the recent refusals as text: no script of theirs runs. They are asked for
// through the SOCKS5 door, whose domain names are any bytes (llhttp already refuses `<` in a CONNECT
// line, so over HTTP they never get as far as a target).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SocksClient } from "socks";
import { connectThrough } from "../helpers/connect-client.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";

/** Debian's chromium, which `.ci/run` installs. */
const CHROMIUM = "/usr/bin/chromium";
const unavailable = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install chromium)`;

/** Markup a client can put in a CONNECT target; each would set `window.pwned` or open a dialog if it ran. */
const HOSTILE_HOSTS = [
  "<script>window.pwned=1;alert(1)</script>",
  "<img src=x onerror=window.pwned=2;alert(2)>",
];

describe.skipIf(unavailable !== undefined)(`status page in chromium${unavailable === undefined ? "" : ` (skipped: ${unavailable})`}`, () => {
  let workspace: OpsWorkspace;
  let browser: Browser;

  beforeAll(async () => {
    workspace = await openOpsWorkspace("tlsbridge-ops-page-");
    // --no-sandbox: CI runs the tests as root, where chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await workspace?.close();
  });

  /** The text of the peer's state cell, once it says `state`. */
  const peerState = (page: Page, state: "up" | "down") => page.locator(`#peers tr[data-key="cloud"] td.${state}`).waitFor();

  it("shows a held tunnel, refused markup as text, the peer going down and the node going away", async () => {
    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer.yaml", ["shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    await writeFile(join(workspace.dir, "sites", "hq.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
    await writeFile(join(workspace.dir, "ingress.yaml"), [
      "listeners:",
      "  - { listen: 127.0.0.1:0, rules: sites/hq.yaml }",
      "  - { listen: 127.0.0.1:0, rules: sites/hq.yaml, protocol: socks5 }",
      `peers: { cloud: { address: '127.0.0.1:${peerPort}', servername: localhost } }`,
      "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 200 }",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const ingress = workspace.startNode("ingress", "ingress.yaml");
    const adminLine = await ingress.waitFor("admin.listening");
    const port = portOf(await ingress.waitFor("listening", (l) => l.protocol === "http"));
    const socksPort = portOf(await ingress.waitFor("listening", (l) => l.protocol === "socks5"));

    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(`http://127.0.0.1:${portOf(adminLine)}/`);
    await page.locator("#title", { hasText: "tlsbridge ingress" }).waitFor();
    await peerState(page, "up");

    const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
    expect(tunnel.status).toBe(200);
    await page.locator('#tunnels tr[data-key="site:hq"]', { hasText: "1" }).waitFor();
    await page.locator('#tunnels tr[data-key="peer:cloud"]', { hasText: "1" }).waitFor();
    await page.locator("#open-tunnels", { hasText: "1" }).waitFor();

    for (const host of HOSTILE_HOSTS) {
      const proxy = { host: "127.0.0.1", port: socksPort, type: 5 as const };
      await expect(SocksClient.createConnection({ proxy, command: "connect", destination: { host, port: 443 }, timeout: 10_000 })).rejects.toThrow();
      await page.locator("#refusals td", { hasText: host }).first().waitFor();
    }
    expect(await page.locator("#refusals script, #refusals img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);

    // The page keeps refreshing itself: the peer stops, the probe sees it, the page says so.
    await peer.stop();
    await peerState(page, "down");
    expect(await page.locator('#peers tr[data-key="cloud"]').textContent()).toContain("in rotation");

    tunnel.socket.destroy();
    await ingress.stop();
    await page.locator("#banner.lost", { hasText: "not answering" }).waitFor();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
