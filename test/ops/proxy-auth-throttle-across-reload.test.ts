// Regression (issue 15): after any reload, a remembered credential from a throttled address got 407
// until the minute was over, though the README says remembered credentials still pass: the reload
// made a new authenticator with an empty memory. And a throttled 407 said the same as a wrong
// password, was logged only once, and no metric counted failed or throttled logins. Now the real
// program keeps the memory across a reload, says "too many failed logins, retry in N s" in the
// 407's Proxy-Status, logs every throttled attempt, and /metrics counts refusals by reason.
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw } from "../helpers/connect-client.ts";
import type { ConnectResult } from "../helpers/connect-client.ts";
import { proxyStatusOf } from "../helpers/tunnel-probe.ts";
import { portOf, scrape, startNode, usersFileLine, writeAuthIngressConfig } from "../helpers/ops-nodes.ts";
import type { OpsNode } from "../helpers/ops-nodes.ts";

/** Another loopback address is another client: the one that keeps guessing. */
const GUESSER = "127.0.0.2";

describe("proxy-auth throttle in the real program", () => {
  let dir: string;
  let node: OpsNode;
  let port: number;
  let admin: number;
  let aliceLine: string;
  beforeAll(async () => {
    aliceLine = await usersFileLine("alice", "alice-pw");
    dir = await mkdtemp(join(tmpdir(), "tlsbridge-auth-throttle-"));
    await writeAuthIngressConfig(dir, aliceLine, ["admin: { listen: '127.0.0.1:0' }"]);
    node = startNode("ingress", "ingress.yaml", dir);
    const [listening, adminListening] = await Promise.all([node.waitFor("listening"), node.waitFor("admin.listening")]);
    port = portOf(listening);
    admin = portOf(adminListening);
  });
  afterAll(async () => {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** One CONNECT from the guessing address; the answer's status and Proxy-Status. */
  async function attempt(user: string, password: string): Promise<{ status: number; proxyStatus: string }> {
    const header = `Proxy-Authorization: Basic ${Buffer.from(`${user}:${password}`).toString("base64")}\r\n`;
    const reply: ConnectResult = await sendRaw(port, `CONNECT localhost:80 HTTP/1.1\r\nHost: localhost:80\r\n${header}\r\n`, "127.0.0.1", GUESSER);
    reply.socket.destroy();
    return { status: reply.status, proxyStatus: proxyStatusOf(reply.headers) };
  }

  it("keeps a remembered login across a reload, says when to retry, logs and counts every throttled attempt", async () => {
    // Alice logs in (remembered), then someone at her address guesses ten times.
    expect((await attempt("alice", "alice-pw")).status).toBe(502); // past authentication; the peer is down
    for (let i = 0; i < 10; i++) expect((await attempt("alice", `guess-${i}`)).status).toBe(407);
    const throttled = await attempt("alice", "guess-10");
    expect(throttled.status).toBe(407);
    expect(throttled.proxyStatus).toMatch(/; error=http_request_denied; details="too many failed logins, retry in ([1-9]|[1-5][0-9]|60) s"$/);

    // A reload (the users file gains bob, alice's line unchanged, as `tlsbridge auth add` does it)
    // keeps both the memory and the throttle.
    await writeFile(join(dir, "users.next"), aliceLine + (await usersFileLine("bob", "bob-pw")));
    await rename(join(dir, "users.next"), join(dir, "users.htpasswd"));
    await node.waitFor("config.reloaded");
    expect((await attempt("alice", "alice-pw")).status).toBe(502);
    const again = await attempt("alice", "guess-11");
    expect(again.proxyStatus).toContain('details="too many failed logins, retry in');

    await node.waitFor("auth.denied", (l) => l.reason === "throttled" && l.level === 30); // the line may trail the 407
    const denied = node.lines.filter((l) => l.event === "auth.denied" && l.reason === "throttled");
    expect(denied).toHaveLength(2);
    expect(denied.map((l) => l.level)).toEqual([40, 30]); // the first warns, the rest are info
    for (const l of denied) expect(l.retryAfterS).toBeGreaterThan(0);

    const metrics = await scrape(admin);
    expect(metrics.get('tlsbridge_proxy_auth_refusals_total{reason="password"}')).toBe(10);
    expect(metrics.get('tlsbridge_proxy_auth_refusals_total{reason="throttled"}')).toBe(2);
  });

});
