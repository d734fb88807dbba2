// Random and mutated SOCKS5 conversations and ClientHellos thrown at LIVE SOCKS5 and SNI listeners
// (peer and services behind them), written in random splits. Every answer is one the door's protocol
// allows (a method choice, then at most one reply with a defined code; or one TLS alert record; or
// the service's own TLS when a hello got through), or the connection just closes. Afterwards no
// socket is left open on either node and nothing was logged as an error. Seed: FUZZ_SEED.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TLS_ALERT } from "@tlsbridge/wire";
import { clientHelloFromNode } from "../../packages/wire/src/client-hello.test-helper.ts";
import { cutInto, mutate, mutations, sendAndReadToClose } from "../helpers/fuzz-input.ts";
import { testPki } from "../helpers/pki.ts";
import { startEchoService, startHttpsService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_903);
const RUNS = 150;
const LIMITS = { headTimeoutMs: 300, maxHeadBytes: 2_048 };

/** What one run's inputs look like: a good request mutated or not, or random bytes, cut and maybe held open. */
function inputs(good: fc.Arbitrary<Buffer>): fc.Arbitrary<{ bytes: Buffer; cuts: number[]; keepOpen: boolean }> {
  return fc.record({
    bytes: fc.oneof(
      { weight: 4, arbitrary: fc.tuple(good, mutations).map(([bytes, changes]) => mutate(bytes, changes)) },
      { weight: 2, arbitrary: good },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)) },
    ),
    cuts: fc.array(fc.nat(), { maxLength: 3 }),
    keepOpen: fc.integer({ min: 0, max: 19 }).map((n) => n === 0), // mostly half-close; sometimes wait for the deadline
  });
}

/** The kind of a SOCKS5 answer, or throws on one the protocol does not allow. */
function socks5Outcome(answer: Buffer): string {
  if (answer.length === 0) return "closed";
  expect([answer[0], answer[1]]).toSatisfy(([v, m]: number[]) => v === 5 && (m === 0 || m === 0xff));
  if (answer[1] === 0xff) {
    expect(answer.length).toBe(2);
    return "no method";
  }
  if (answer.length === 2) return "closed after the greeting";
  const reply = [...answer.subarray(2, 12)];
  expect(reply.slice(0, 1).concat(reply.slice(2))).toEqual([5, 0, 1, 0, 0, 0, 0, 0, 0]);
  expect(reply[1]).toBeLessThanOrEqual(8);
  if (reply[1] !== 0) expect(answer.length).toBe(12);
  return `reply ${reply[1] ?? "?"}`;
}

/** The kind of an SNI listener's answer, or throws on one it should never give. */
function sniOutcome(answer: Buffer): string {
  if (answer.length === 0) return "closed";
  if (answer[0] === 22) return "service TLS"; // the hello got through: the service's ServerHello
  expect([...answer.subarray(0, 6)]).toEqual([21, 3, 3, 0, 2, 2]);
  expect(answer.length).toBe(7);
  expect(Object.values(TLS_ALERT)).toContain(answer[6]);
  return `alert ${answer[6] ?? "?"}`;
}

describe("fuzzed SOCKS5 conversations and ClientHellos against live listeners", () => {
  let socks: TwoNodes;
  let sni: TwoNodes;
  let echo: TestService;
  let secure: TestService;
  beforeAll(async () => {
    const pki = await testPki();
    echo = await startEchoService();
    secure = await startHttpsService(pki.service.cert, pki.service.key);
    const rules = [{ match: "localhost|127[.]0[.]0[.]1|[a-z]+[.]example", peer: "cloud" }];
    socks = await startTwoNodes({ ingressProtocol: "socks5", rules, ingressLimits: LIMITS });
    sni = await startTwoNodes({ ingressProtocol: "sni", ingressTargetPort: secure.port, rules, ingressLimits: LIMITS });
  });
  afterAll(async () => {
    await socks.close();
    await sni.close();
    await echo.close();
    await secure.close();
  });

  it("SOCKS5: always a protocol answer or a close, never a crash, no socket left", async () => {
    const request = (host: number[], type: number): number[] => [5, 1, 0, type, ...host, echo.port >> 8, echo.port & 255];
    const good = fc.constantFrom(
      request([127, 0, 0, 1], 1),
      request([9, ...Buffer.from("localhost")], 3),
      request([9, ...Buffer.from("a.example")], 3),
      request([...new Array<number>(15).fill(0), 1], 4),
    ).chain((req) => fc.tuple(fc.constantFrom([5, 1, 0], [5, 2, 2, 0], [5, 1, 2]), fc.uint8Array({ maxLength: 16 }))
      .map(([greeting, early]) => Buffer.from([...greeting, ...req, ...early])));
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(inputs(good), async ({ bytes, cuts, keepOpen }) => {
      // A success reply is the tunnel opening: we end our side then, since the node would not.
      const answer = await sendAndReadToClose(socks.ingressPort, cutInto(bytes, cuts), keepOpen, (a) => a.length >= 12 && a[2] === 5 && a[3] === 0);
      const outcome = socks5Outcome(answer);
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log("socks5 fuzz outcomes", Object.fromEntries(seen));
    expect(seen.get("reply 0")).toBeGreaterThan(5);
    expect(seen.get("no method")).toBeGreaterThan(5);
    expect(seen.get("closed") ?? 0).toBeGreaterThan(0);
    await waitUntil(() => socks.ingress.activeConnections() === 0 && socks.peer.activeConnections() === 0, "both nodes to have no connection left");
    expect([...socks.ingressLog.lines, ...socks.peerLog.lines].filter((l) => l.level >= 50)).toEqual([]);
  }, 90_000);

  it("SNI: always one alert, the service's TLS or a close, never a crash, no socket left", async () => {
    const hellos = await Promise.all(["localhost", "a.example", "nowhere.test", undefined].map((name) => clientHelloFromNode(name)));
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(inputs(fc.constantFrom(...hellos)), async ({ bytes, cuts, keepOpen }) => {
      const answer = await sendAndReadToClose(sni.ingressPort, cutInto(bytes, cuts), keepOpen, (a) => a[0] === 22);
      const outcome = sniOutcome(answer);
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    console.log("sni fuzz outcomes", Object.fromEntries(seen));
    expect(seen.get("service TLS")).toBeGreaterThan(5);
    expect(seen.get(`alert ${TLS_ALERT.decodeError}`)).toBeGreaterThan(5);
    expect(seen.get("closed") ?? 0).toBeGreaterThan(0);
    await waitUntil(() => sni.ingress.activeConnections() === 0 && sni.peer.activeConnections() === 0, "both nodes to have no connection left");
    expect([...sni.ingressLog.lines, ...sni.peerLog.lines].filter((l) => l.level >= 50)).toEqual([]);
  }, 90_000);
});
