import { describe, expect, it } from "vitest";
import { accessSummary, formatByteCount, formatDurationMs } from "./access-summary.ts";

describe("access summary", () => {
  it("writes sizes in decimal units and durations in ms or s", () => {
    expect(formatByteCount(0)).toBe("0 B");
    expect(formatByteCount(999)).toBe("999 B");
    expect(formatByteCount(1_234_567)).toBe("1.2 MB");
    expect(formatByteCount(30_000_000)).toBe("30.0 MB");
    expect(formatDurationMs(12.34)).toBe("12 ms");
    expect(formatDurationMs(5_140)).toBe("5.1 s");
  });

  it("reads as one line: a tunnel, a refusal, a client that left", () => {
    expect(accessSummary({
      verb: "CONNECT", target: "example.org:443", status: 200, error: undefined, hop: "via cloud",
      bytes: { up: 1_200_000, down: 30_000_000 }, durationMs: 5_100, outcome: "done",
    })).toBe("CONNECT example.org:443 200 via cloud 1.2 MB↑ 30.0 MB↓ 5.1 s");
    expect(accessSummary({
      verb: "SOCKS5", target: "db.internal:5432", status: 403, error: "http_request_denied", hop: undefined,
      bytes: undefined, durationMs: 3, outcome: "refused",
    })).toBe("SOCKS5 db.internal:5432 403 http_request_denied 3 ms");
    expect(accessSummary({
      verb: "CONNECT", target: undefined, status: undefined, error: undefined, hop: undefined,
      bytes: undefined, durationMs: 40, outcome: "client_left",
    })).toBe("CONNECT - - 40 ms client_left");
  });
});
