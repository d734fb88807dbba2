import { describe, expect, it } from "vitest";
import { NO_METRICS } from "@tlsbridge/transport";
import { RECENT_REFUSALS, StatusBoard } from "./status-board.ts";
import { mergeBoards } from "./node-status.ts";

describe("StatusBoard", () => {
  it("keeps the last refusals newest first, bounded, and counts every one by cause", () => {
    const board = new StatusBoard();
    for (let i = 0; i < RECENT_REFUSALS + 5; i += 1) {
      board.tunnelRefused({ code: i % 2 === 0 ? "TLSB_ERR_NO_ROUTE" : "TLSB_ERR_BAD_TARGET", status: 403, reason: `r${i}`, target: `h${i}:443` });
    }
    const { recentRefusals, refusalsByCause } = board.snapshot();
    expect(recentRefusals).toHaveLength(RECENT_REFUSALS);
    expect(recentRefusals[0]?.reason).toBe(`r${RECENT_REFUSALS + 4}`);
    expect(recentRefusals.at(-1)?.reason).toBe("r5");
    expect(refusalsByCause).toEqual({ TLSB_ERR_NO_ROUTE: 28, TLSB_ERR_BAD_TARGET: 27 });
  });

  it("counts open tunnels by place and forgets a place once its last tunnel closed", () => {
    const board = new StatusBoard();
    board.tunnelOpened({ site: "hq", peer: "east" });
    board.tunnelOpened({ site: "hq", peer: "west" });
    board.tunnelClosed({ site: "hq", peer: "east" });
    expect(board.snapshot().tunnels).toEqual({ open: 1, bySite: { hq: 1 }, byPeer: { west: 1 }, byIngress: {} });
  });

  it("sees rule hits, handshakes and ejections through the metrics sink it watches", () => {
    const board = new StatusBoard();
    const metrics = board.watching(NO_METRICS);
    metrics.ruleHit("hq", 2);
    metrics.ruleHit("hq", 2);
    metrics.peerHandshake("east", 0.01, false);
    metrics.peerEjected("west", "dial");
    const snapshot = board.snapshot();
    expect(snapshot.ruleHits).toEqual({ "hq\n2": 2 });
    expect(snapshot.peers.east).toEqual({ lastHandshake: expect.any(String), ejected: false });
    expect(snapshot.peers.west).toEqual({ ejected: true });
    metrics.peerReturned("west");
    expect(board.snapshot().peers.west).toBeUndefined(); // back in rotation, never handshaken: nothing to say
  });

  it("merges the boards of several workers: sums, the newest refusals, ejected in any", () => {
    const a = new StatusBoard();
    const b = new StatusBoard();
    a.tunnelOpened({ site: "hq", peer: "east" });
    b.tunnelOpened({ site: "hq", peer: "east" });
    a.tunnelRefused({ code: "TLSB_ERR_NO_ROUTE", status: 403, reason: "first" });
    b.watching(NO_METRICS).peerEjected("east", "probe");
    const merged = mergeBoards([a.snapshot(), b.snapshot()]);
    expect(merged.tunnels).toEqual({ open: 2, bySite: { hq: 2 }, byPeer: { east: 2 }, byIngress: {} });
    expect(merged.recentRefusals.map((r) => r.reason)).toEqual(["first"]);
    expect(merged.peers.east?.ejected).toBe(true);
  });
});
