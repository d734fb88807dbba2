// Numeric settings are bounded by what their name says: durations in ms, sizes in bytes, tunnel
// counts at least 1, and a tunnel lifetime of 0 meaning "no limit".
import { describe, expect, it } from "vitest";
import { boundsOf } from "./settings-section.ts";

describe("boundsOf", () => {
  it.each([
    ["headTimeoutMs", [1, 86_400_000]],
    ["maxHeadBytes", [1_024, 1_048_576]],
    ["maxTunnels", [1, 1_000_000]],
    ["maxTunnelsPerIngress", [1, 1_000_000]],
    ["maxTunnelLifetimeMs", [0, 86_400_000]],
  ])("%s", (key, bounds) => {
    expect(boundsOf(key)).toEqual(bounds);
  });
});
