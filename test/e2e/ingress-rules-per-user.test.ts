// One listener, several teams (issue 14): a rule may say which proxy users may take it (`users:`,
// anchored patterns). For anyone else the rule does not match and the next one is tried; when none
// matches the client gets 403, logged as route.miss with the user. Real curl with --proxy-user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@tlsbridge/ingress";
import { curlThrough } from "../helpers/curl-through.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const PASSWORD = "team-pass";
// The lowest cost the users file accepts: these tests are about routing, not the hash's strength.
const COST = { ln: 14, r: 8, p: 1 };

/** curl as `user` through the ingress. */
function curlAs(user: string, port: number, url: string): ReturnType<typeof curlThrough> {
  return curlThrough(port, url, ["--proxy-user", `${user}:${PASSWORD}`]);
}

describe("rules limited to proxy users", () => {
  let nodes: TwoNodes;
  let service: TestService;
  let other: TestService;
  beforeAll(async () => {
    service = await startHttpService();
    other = await startHttpService();
    const hash = await hashPassword(PASSWORD, COST);
    nodes = await startTwoNodes({
      ingressAuth: new Map(["alice", "ops-night", "bob", "carol"].map((user) => [user, hash])),
      rules: [
        { match: "localhost", peer: "cloud", users: ["alice", "ops-.*"] },
        { match: "localhost", ports: [service.port], peer: "cloud", users: ["bob"] },
      ],
    });
  });
  afterAll(async () => {
    await nodes?.close();
    await service?.close();
    await other?.close();
  });

  it("the users a rule names (by name or pattern) take it", async () => {
    for (const user of ["alice", "ops-night"]) {
      expect(await curlAs(user, nodes.ingressPort, `http://localhost:${other.port}/${user}`)).toMatchObject({ code: 0, stdout: `hello from /${user}` });
      const open = await nodes.ingressLog.waitFor("tunnel.open", (l) => l.user === user);
      expect(open.rule).toBe(0);
    }
  });

  it("for another user the rule does not match and the next rule is tried", async () => {
    expect(await curlAs("bob", nodes.ingressPort, `http://localhost:${service.port}/bob`)).toMatchObject({ code: 0, stdout: "hello from /bob" });
    const open = await nodes.ingressLog.waitFor("tunnel.open", (l) => l.user === "bob");
    expect(open.rule).toBe(1);
  });

  it("a user no matching rule admits gets 403, logged as route.miss with the user", async () => {
    for (const [user, port] of [["bob", other.port], ["carol", service.port]] as const) {
      const refused = await curlAs(user, nodes.ingressPort, `http://localhost:${port}/`);
      expect(refused.code).toBe(56);
      expect(refused.stderr).toContain("403");
      await nodes.ingressLog.waitFor("route.miss", (l) => l.user === user && l.target === `localhost:${port}`);
    }
    expect(nodes.peerLog.events("tunnel.open").filter((l) => String(l.target).endsWith(`:${other.port}`))).toHaveLength(2);
  });
});
