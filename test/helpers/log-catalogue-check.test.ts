import { describe, expect, it } from "vitest";
import { logLineProblems } from "./log-catalogue-check.ts";

const BASE = '"level":30,"time":"2026-12-03T02:14:09.912Z","pid":1,"role":"ingress","msg":"m"';
const CLOSE = '"event":"tunnel.close","bytesUp":1,"bytesDown":2,"durationMs":3,"outcome":"done"';

describe("a log line checked against the catalogue", () => {
  it("passes a line the catalogue allows", () => {
    expect(logLineProblems("ingress", `{${BASE},${CLOSE},"tunnel":"t","peer":"cloud"}`)).toEqual([]);
  });

  it("names each way a line can be wrong", () => {
    expect(logLineProblems("ingress", `{${BASE},"event":"tunnel.closed"}`)).toEqual(["ingress: event 'tunnel.closed' is not in the catalogue"]);
    expect(logLineProblems("ingress", `{${BASE},${CLOSE},"bytes":3}`)).toEqual(["ingress: 'tunnel.close' writes 'bytes', not declared"]);
    expect(logLineProblems("ingress", `{${BASE},${CLOSE},"err":"boom"}`)).toEqual(["ingress: 'tunnel.close' writes 'err' as \"boom\", not error"]);
    expect(logLineProblems("ingress", `{${BASE},"event":"tunnel.close","bytesUp":1,"bytesDown":2,"durationMs":3}`))
      .toEqual(["ingress: 'tunnel.close' lacks required 'outcome'"]);
    expect(logLineProblems("ingress", `{${BASE},${CLOSE},"role":"peer"}`)).toEqual(["ingress: 'tunnel.close' writes 'role' twice"]);
    expect(logLineProblems("ingress", `{${BASE},"event":"service.dial.failed","code":"c","status":502,"reason":"r"}`))
      .toEqual(["ingress: 'service.dial.failed' is written by peer only"]);
    expect(logLineProblems("peer", `{${BASE.replace('"level":30', '"level":40')},${CLOSE}}`)).toEqual(["peer: 'tunnel.close' at warn, not info"]);
    expect(logLineProblems("ingress", `{${BASE},"event":"tunnel.open","setupMs":1,"service":"127.0.0.1:1"}`))
      .toEqual(["ingress: 'tunnel.open' writes 'service', not declared"]);
  });
});
