// The peer cannot be turned against its own network (issue 14): a name the allow list admits but
// that DNS answers with a loopback address (DNS rebinding) is refused with 403
// destination_ip_prohibited naming the address, before any connect, unless the entry admits that
// address in `addresses:`. The DNS server is the loopback test server; only loopback is ever dialed
// (the metadata and link-local cases are unit tests: packages/peer/src/destination-address.test.ts).
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { startDnsServer } from "../helpers/dns-server.ts";
import type { TestDnsServer } from "../helpers/dns-server.ts";
import { listenOnLoopback } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { proxyStatusOf } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe.each(["h1", "h2"] as const)("the peer checks the address it is about to dial (%s)", (peerMode) => {
  let nodes: TwoNodes;
  let dns: TestDnsServer;
  let service: TestService;
  let accepted = 0;
  beforeAll(async () => {
    service = await listenOnLoopback(net.createServer((socket) => {
      accepted += 1;
      socket.end();
    }));
    dns = await startDnsServer({
      "rebind.test": { a: ["127.0.0.1"] },
      "admitted.test": { a: ["127.0.0.1"] },
      "elsewhere.test": { a: ["127.0.0.1"] },
      "both-families.test": { a: ["127.0.0.1"], aaaa: ["::1"] },
    });
    nodes = await startTwoNodes({
      peerMode,
      allow: [
        { match: "rebind[.]test" }, // names may resolve anywhere but special-purpose ranges
        { match: "admitted[.]test", addresses: ["127.0.0.0/8"] },
        { match: "elsewhere[.]test", addresses: ["10.20.0.0/16"] },
        { match: "both-families[.]test", addresses: ["127.0.0.1"] },
        { match: "127[.]0[.]0[.]1|::ffff:127[.]0[.]0[.]1" }, // IP literals, loopback not admitted
      ],
      peerDns: { servers: [dns.address] },
    });
  });
  afterAll(async () => {
    await nodes.close();
    await dns.close();
    await service.close();
  });

  it("403 destination_ip_prohibited with the address when an allowed name resolves to loopback the entry does not admit", async () => {
    const before = accepted;
    const reply = await connectThrough(nodes.ingressPort, `rebind.test:${service.port}`);
    expect(reply.status).toBe(403);
    expect(proxyStatusOf(reply.headers)).toBe(
      'test-peer; error=destination_ip_prohibited; details="destination address 127.0.0.1 (loopback) not allowed by the peer", test-ingress; received-status=403',
    );
    reply.socket.destroy();
    const line = await nodes.peerLog.waitFor("destination.denied", (l) => l.target === `rebind.test:${service.port}`);
    expect(line).toMatchObject({ code: "TLSB_ERR_DESTINATION_ADDRESS", status: 403, address: "127.0.0.1" });
    expect(line.reason).toContain("127.0.0.1 is a loopback address");
    expect(dns.queries("rebind.test")).toBeGreaterThan(0);
    expect(accepted).toBe(before); // refused before any connect
  });

  it("opens the tunnel when the entry's addresses: admits the address", async () => {
    const reply = await connectThrough(nodes.ingressPort, `admitted.test:${service.port}`);
    expect(reply.status).toBe(200);
    reply.socket.destroy();
    await nodes.peerLog.waitFor("tunnel.open", (l) => l.target === `admitted.test:${service.port}` && l.service === `127.0.0.1:${service.port}`);
  });

  it("an entry's addresses: also restricts where its name may resolve", async () => {
    const before = accepted;
    const reply = await connectThrough(nodes.ingressPort, `elsewhere.test:${service.port}`);
    expect(reply.status).toBe(403);
    reply.socket.destroy();
    const line = await nodes.peerLog.waitFor("destination.denied", (l) => l.target === `elsewhere.test:${service.port}`);
    expect(line).toMatchObject({ code: "TLSB_ERR_DESTINATION_ADDRESS", address: "127.0.0.1" });
    expect(line.reason).toContain("outside the addresses the matching entries admit: 10.20.0.0/16");
    expect(accepted).toBe(before);
  });

  it("dials only the admitted addresses of an answer (::1 dropped, 127.0.0.1 dialed)", async () => {
    const reply = await connectThrough(nodes.ingressPort, `both-families.test:${service.port}`);
    expect(reply.status).toBe(200);
    reply.socket.destroy();
    await nodes.peerLog.waitFor("tunnel.open", (l) => l.target === `both-families.test:${service.port}` && l.service === `127.0.0.1:${service.port}`);
    const dropped = await nodes.peerLog.waitFor("destination.addresses.dropped", (l) => l.target === `both-families.test:${service.port}`);
    expect(dropped).toMatchObject({ dropped: ["::1"], kept: 1, level: 30 });
    expect(dropped.reason).toContain("::1 (loopback) is outside the addresses the matching entries admit: 127.0.0.1");
  });

  it.each(["127.0.0.1", "[::ffff:127.0.0.1]"])("checks an IP literal target (%s) the same way, before any connect", async (host) => {
    const before = accepted;
    const reply = await connectThrough(nodes.ingressPort, `${host}:${service.port}`);
    expect(reply.status).toBe(403);
    expect(proxyStatusOf(reply.headers)).toContain("error=destination_ip_prohibited");
    expect(proxyStatusOf(reply.headers)).toContain("(loopback) not allowed by the peer");
    reply.socket.destroy();
    expect(accepted).toBe(before);
  });
});
