// Regression: failed proxy logins were unthrottled. Every distinct wrong password ran scrypt on
// libuv's 4-thread pool (which DNS lookups share), so one client could keep the pool and the CPU
// busy for as long as it liked. Now, after 10 failures within a minute from one address, further
// attempts from it get 407 at once without scrypt (auth.denied reason throttled: warn once, then info),
// while a client at another address with the right password is still served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@tlsbridge/ingress";
import type { PasswordHash } from "@tlsbridge/ingress";
import { sendRaw } from "../helpers/connect-client.ts";
import type { ConnectResult } from "../helpers/connect-client.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const COST = { ln: 14, r: 8, p: 1 };
const ATTACKER = "127.0.0.2";

/**
 * `hash` with a salt that counts its reads: scrypt is the only reader (verifyPassword passes the
 * stored salt to it once per check), so the count is the number of scrypt runs. This test used to
 * time the refusals and expect the throttled ones at under half the checked ones; counting says
 * "without scrypt" directly, and a loaded machine cannot blur it.
 */
function countingScryptRuns(hash: PasswordHash): { readonly hash: PasswordHash; readonly runs: () => number } {
  let runs = 0;
  const counted = { ln: hash.ln, r: hash.r, p: hash.p, hash: hash.hash, get salt() { runs += 1; return hash.salt; } };
  return { hash: counted, runs: () => runs };
}

describe("failed proxy logins are throttled per client address", () => {
  let nodes: TwoNodes;
  let service: TestService;
  let alice: ReturnType<typeof countingScryptRuns>;
  beforeAll(async () => {
    service = await startHttpService();
    alice = countingScryptRuns(await hashPassword("right-pw", COST));
    nodes = await startTwoNodes({ ingressAuth: new Map([["alice", alice.hash]]) });
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  const attempt = async (password: string, from?: string): Promise<{ reply: ConnectResult }> => {
    const target = `localhost:${service.port}`;
    const header = `Proxy-Authorization: Basic ${Buffer.from(`alice:${password}`).toString("base64")}\r\n`;
    const reply = await sendRaw(nodes.ingressPort, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${header}\r\n`, "127.0.0.1", from);
    return { reply };
  };

  it("answers 407 without scrypt after 10 failures, warns once, and still serves another client", async () => {
    for (let i = 0; i < 10; i++) {
      const { reply } = await attempt(`wrong-${i}`, ATTACKER);
      expect(reply.status).toBe(407);
      reply.socket.destroy();
    }
    expect(alice.runs()).toBe(10);
    for (let i = 10; i < 20; i++) {
      const { reply } = await attempt(`wrong-${i}`, ATTACKER);
      expect(reply.status).toBe(407);
      expect(reply.headers.get("proxy-authenticate")).toEqual(['Basic realm="tlsbridge"']);
      reply.socket.destroy();
    }
    // Even the right password waits out the window from that address.
    const right = await attempt("right-pw", ATTACKER);
    expect(right.reply.status).toBe(407);
    right.reply.socket.destroy();

    const denied = nodes.ingressLog.events("auth.denied");
    expect(denied.filter((l) => l.reason === "password")).toHaveLength(10);
    const throttled = denied.filter((l) => l.reason === "throttled");
    expect(throttled.map((l) => l.level)).toEqual([40, ...Array<number>(10).fill(30)]); // warned once per window, each logged
    expect(alice.runs()).toBe(10); // the throttled attempts, the right password among them, ran no scrypt

    const other = await attempt("right-pw");
    expect(other.reply.status).toBe(200);
    other.reply.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    const body = await new Promise<string>((resolve) => {
      let text = other.reply.rest.toString();
      other.reply.socket.on("data", (c: Buffer) => (text += c.toString())).on("end", () => resolve(text)).resume();
    });
    expect(body).toMatch(/^HTTP\/1.1 200/);
  });
});
