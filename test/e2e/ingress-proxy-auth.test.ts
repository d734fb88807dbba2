// Proxy authentication at the ingress (`auth: { users }` on a listener), with the clients people
// use: curl (`-x user:pass@`, `--proxy-user`) and undici's ProxyAgent `token`. Missing or wrong
// credentials get 407 with the Basic challenge; the client's Proxy-Authorization never reaches the
// peer (a fake peer captures the replayed head); no log line holds the password or the header.
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetch, ProxyAgent } from "undici";
import { hashPassword } from "@tlsbridge/ingress";
import type { PasswordHash } from "@tlsbridge/ingress";
import { connectThrough } from "../helpers/connect-client.ts";
import { curlThrough } from "../helpers/curl-through.ts";
import { testPki } from "../helpers/pki.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const PASSWORD = "correct horse: battery";
const WRONG = "incorrect-donkey";
// The lowest cost the users file accepts: these tests are about the protocol, not the hash's strength.
const COST = { ln: 14, r: 8, p: 1 };
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("proxy authentication at the ingress", () => {
  let nodes: TwoNodes;
  let service: TestService;
  let users: Map<string, PasswordHash>;
  beforeAll(async () => {
    service = await startHttpService();
    users = new Map([["alice", await hashPassword(PASSWORD, COST)]]);
    nodes = await startTwoNodes({ ingressAuth: users });
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it("answers 407 with exactly the Basic challenge and Proxy-Status when no credential is sent", async () => {
    const reply = await connectThrough(nodes.ingressPort, `localhost:${service.port}`);
    expect(reply.head).toBe([
      "HTTP/1.1 407 Proxy Authentication Required",
      'Proxy-Status: test-ingress; error=http_request_denied; details="proxy authentication required"',
      'Proxy-Authenticate: Basic realm="tlsbridge"',
      "Connection: close",
      "Content-Length: 0",
    ].join("\r\n"));
    reply.socket.destroy();
    const denied = await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "missing");
    expect(denied.level).toBe(30);
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(0);
  });

  it("refuses before routing: a target no rule matches still gets 407, not 403", async () => {
    const routed = await startTwoNodes({ ingressAuth: users, rules: [{ match: "localhost", peer: "cloud" }] });
    try {
      const reply = await connectThrough(routed.ingressPort, "not-routed.example:443");
      expect(reply.status).toBe(407);
      reply.socket.destroy();
      expect(routed.ingressLog.events("route.miss")).toHaveLength(0);
    } finally {
      await routed.close();
    }
  });

  it("curl without credentials fails with 407", async () => {
    const result = await curlThrough(nodes.ingressPort, `http://localhost:${service.port}/none`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("407");
  });

  it("curl -x http://user:pass@proxy gets through, and the tunnel's log lines name the user", async () => {
    const userInfo = `alice:${encodeURIComponent(PASSWORD)}@`;
    const result = await curlThrough(nodes.ingressPort, `http://localhost:${service.port}/userinfo`, [], userInfo);
    expect(result.stdout).toBe("hello from /userinfo");
    const close = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.target === `localhost:${service.port}` && l.user === "alice");
    expect(close.outcome).toBe("done");
    const open = nodes.ingressLog.events("tunnel.open").find((l) => l.tunnel === close.tunnel);
    expect(open?.user).toBe("alice");
    const granted = nodes.ingressLog.events("auth.granted").find((l) => l.tunnel === close.tunnel);
    expect(granted).toMatchObject({ level: 20, user: "alice" });
  });

  it("curl --proxy-user gets through; the second request is served from the verified cache", async () => {
    const first = await curlThrough(nodes.ingressPort, `http://localhost:${service.port}/one`, ["--proxy-user", `alice:${PASSWORD}`]);
    expect(first.stdout).toBe("hello from /one");
    const second = await curlThrough(nodes.ingressPort, `http://localhost:${service.port}/two`, ["--proxy-user", `alice:${PASSWORD}`]);
    expect(second.stdout).toBe("hello from /two");
    expect(nodes.ingressLog.events("auth.granted").some((l) => l.cached === true && l.user === "alice")).toBe(true);
  });

  it("a wrong password gets 407 and is logged as auth.denied with the user, at warn", async () => {
    const result = await curlThrough(nodes.ingressPort, `http://localhost:${service.port}/wrong`, ["--proxy-user", `alice:${WRONG}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("407");
    const denied = await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "password");
    expect(denied).toMatchObject({ level: 40, user: "alice", target: `localhost:${service.port}` });
    const unknown = await connectThrough(nodes.ingressPort, `localhost:${service.port}`, `Proxy-Authorization: ${basic("mallory", PASSWORD)}\r\n`);
    expect(unknown.status).toBe(407);
    expect(unknown.headers.get("proxy-status")).toEqual(['test-ingress; error=http_request_denied; details="proxy authentication failed"']);
    unknown.socket.destroy();
    expect(await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "user")).toMatchObject({ user: "mallory" });
  });

  it("a malformed or duplicated credential gets 407", async () => {
    for (const header of [
      "Proxy-Authorization: Bearer abc\r\n",
      "Proxy-Authorization: Basic not*base64\r\n",
      `Proxy-Authorization: ${basic("alice", PASSWORD)}\r\nProxy-Authorization: ${basic("alice", PASSWORD)}\r\n`,
    ]) {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${service.port}`, header);
      expect(reply.status, header).toBe(407);
      reply.socket.destroy();
    }
    expect(nodes.ingressLog.events("auth.denied").filter((l) => l.reason === "malformed").length).toBeGreaterThanOrEqual(3);
  });

  it("undici ProxyAgent with `token` gets through; without it the fetch fails with 407", async () => {
    const withToken = new ProxyAgent({ uri: `http://127.0.0.1:${nodes.ingressPort}`, token: basic("alice", PASSWORD) });
    const without = new ProxyAgent({ uri: `http://127.0.0.1:${nodes.ingressPort}` });
    try {
      const response = await fetch(`http://localhost:${service.port}/undici`, { dispatcher: withToken });
      expect(await response.text()).toBe("hello from /undici");
      const failure = await fetch(`http://localhost:${service.port}/undici`, { dispatcher: without }).then(() => undefined, (err: unknown) => err);
      // fetch failed <- Request was cancelled <- "Proxy response (407) !== 200 when HTTP Tunneling"
      const causes: string[] = [];
      for (let e = failure as { message?: string; cause?: unknown } | undefined; e !== undefined; e = e.cause as typeof e) causes.push(String(e.message));
      expect(causes.join(" <- ")).toContain("Proxy response (407)");
    } finally {
      await withToken.close();
      await without.close();
    }
  });

  it("a reload with another users file applies to the next tunnel", async () => {
    const swapped = await startTwoNodes({ ingressAuth: users });
    try {
      swapped.ingress.reload({
        ...swapped.ingressOptions,
        listeners: swapped.ingressOptions.listeners.map((l) => ({ ...l, auth: { users: new Map([["bob", users.get("alice") as PasswordHash]]) } })),
      });
      const alice = await connectThrough(swapped.ingressPort, `localhost:${service.port}`, `Proxy-Authorization: ${basic("alice", PASSWORD)}\r\n`);
      expect(alice.status).toBe(407);
      alice.socket.destroy();
      const bob = await connectThrough(swapped.ingressPort, `localhost:${service.port}`, `Proxy-Authorization: ${basic("bob", PASSWORD)}\r\n`);
      expect(bob.status).toBe(200);
      bob.socket.destroy();
    } finally {
      await swapped.close();
    }
  });

  it("no log line of either node holds a password or the Proxy-Authorization value", () => {
    const text = JSON.stringify([...nodes.ingressLog.lines, ...nodes.peerLog.lines]);
    for (const secret of [PASSWORD, WRONG, encodeURIComponent(PASSWORD), basic("alice", PASSWORD).slice(6), basic("alice", WRONG).slice(6)]) {
      expect(text).not.toContain(secret);
    }
    expect(text.toLowerCase()).not.toContain("proxy-authorization");
    expect(text).not.toContain("Basic ");
  });
});

describe("the client's Proxy-Authorization is not replayed to the peer", () => {
  it("the peer sees Via and the tunnel id, never Proxy-Authorization", async () => {
    const pki = await testPki();
    const heads: string[] = [];
    // A stand-in peer (same certificate and CA as the real one) that records the replayed head.
    const fake = tls.createServer({ cert: pki.peer.cert, key: pki.peer.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (socket) => {
      let buffered = "";
      socket.on("error", () => {});
      socket.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("latin1");
        if (!buffered.includes("\r\n\r\n")) return;
        heads.push(buffered.slice(0, buffered.indexOf("\r\n\r\n")));
        socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    const users = new Map([["alice", await hashPassword(PASSWORD, COST)]]);
    const nodes = await startTwoNodes({ ingressAuth: users, peerPort: (fake.address() as AddressInfo).port });
    try {
      const reply = await connectThrough(nodes.ingressPort, "localhost:9", `Proxy-Authorization: ${basic("alice", PASSWORD)}\r\n`);
      expect(reply.status).toBe(403);
      reply.socket.destroy();
      expect(heads).toHaveLength(1);
      const head = heads[0] ?? "";
      expect(head).toMatch(/^CONNECT localhost:9 HTTP\/1\.1\r\n/);
      expect(head).toMatch(/\r\nVia: 1\.1 test-ingress/i);
      expect(head.toLowerCase()).toContain("tlsbridge-tunnel-id:");
      expect(head.toLowerCase()).not.toContain("proxy-authorization");
      expect(head).not.toContain(basic("alice", PASSWORD).slice(6));
    } finally {
      await nodes.close();
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
