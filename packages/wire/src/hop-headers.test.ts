import { describe, expect, it } from "vitest";
import { tunnelIdOf, viaEntry, viaIncludes } from "./hop-headers.ts";

describe("hop headers", () => {
  it("finds our node among Via members, and only a whole name", () => {
    expect(viaEntry("edge-1")).toBe("1.1 edge-1");
    expect(viaIncludes([["Via", "1.1 corp-proxy, 1.1 edge-1"]], "edge-1")).toBe(true);
    expect(viaIncludes([["via", "HTTP/1.1 edge-1 (comment)"]], "edge-1")).toBe(true);
    expect(viaIncludes([["Via", "1.1 edge-10"]], "edge-1")).toBe(false);
    expect(viaIncludes([], "edge-1")).toBe(false);
  });

  it("accepts only well-formed tunnel ids", () => {
    expect(tunnelIdOf([["Tlsbridge-Tunnel-Id", "3f2a-01.x_y"]])).toBe("3f2a-01.x_y");
    expect(tunnelIdOf([["tlsbridge-tunnel-id", "a b"]])).toBeUndefined();
    expect(tunnelIdOf([["Tlsbridge-Tunnel-Id", "x".repeat(65)]])).toBeUndefined();
    expect(tunnelIdOf([])).toBeUndefined();
  });
});
