// Routing decisions: first match wins, normalised hosts, a bounded cache that never changes an answer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HostPatternError } from "./host-pattern.ts";
import { DEFAULT_RULE_CACHE_SIZE, RuleSet } from "./rule-set.ts";

const rules = () =>
  RuleSet.fromEntries([
    { match: ".*[.]service[.]example", ports: [443], peer: "cloud-east" },
    { match: "db[0-9]+[.]internal", peer: "cloud-east" },
    { match: "api[.]service[.]example", peer: "cloud-west" },
    { match: ".*", ports: [8443], peer: "catch-all" },
  ]);

describe("RuleSet.match", () => {
  it("returns the first rule whose pattern and ports match", () => {
    const set = rules();
    expect(set.match("api.service.example", 443)?.rule.index).toBe(0);
    expect(set.match("api.service.example", 80)?.rule.index).toBe(2); // rule 0 wants 443
    expect(set.match("api.service.example", 80)?.rule.peer).toBe("cloud-west");
    expect(set.match("db7.internal", 5432)?.rule).toMatchObject({ index: 1, peer: "cloud-east", match: "db[0-9]+[.]internal" });
    expect(set.match("anything.else", 8443)?.rule.peer).toBe("catch-all");
    expect(set.match("anything.else", 443)).toBeUndefined();
  });

  it("never matches a suffix attack (whole-host anchoring)", () => {
    expect(rules().match("x.service.example.evil.test", 443)).toBeUndefined();
  });

  it("normalises case and one trailing dot", () => {
    const set = rules();
    expect(set.match("API.Service.Example.", 443)?.rule.index).toBe(0);
    expect(set.match("DB1.INTERNAL", 1)?.rule.index).toBe(1);
  });

  it("returns the same frozen match object each time (no per-call allocation)", () => {
    const set = rules();
    const a = set.match("a.service.example", 443);
    expect(set.match("b.service.example", 443)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a?.rule)).toBe(true);
    expect(Object.isFrozen(set.rules)).toBe(true);
  });

  it("caches hits and misses in a bounded LRU, with the same answers as without a cache", () => {
    const set = RuleSet.fromEntries([{ match: "h[0-9]+", ports: [1], peer: "p" }], { cacheSize: 8 });
    for (let i = 0; i < 100; i++) {
      expect(set.match(`h${i}`, 1)?.rule.peer).toBe("p");
      expect(set.match(`h${i}`, 2)).toBeUndefined();
      expect(set.cachedDecisions).toBeLessThanOrEqual(8);
    }
    expect(set.cachedDecisions).toBe(8);
    // Cached decisions (recent) and evicted ones (old) both still answer correctly.
    expect(set.match("h99", 1)?.rule.peer).toBe("p");
    expect(set.match("h99", 2)).toBeUndefined();
    expect(set.match("h0", 1)?.rule.peer).toBe("p");
    expect(set.match("H0.", 1)?.rule.peer).toBe("p"); // same cache key once normalised
    expect(set.cachedDecisions).toBe(8);
  });

  it("defaults to a 4096-entry cache", () => {
    expect(DEFAULT_RULE_CACHE_SIZE).toBe(4096);
    const set = RuleSet.fromEntries([{ match: ".*", peer: "p" }]);
    for (let i = 0; i < 5000; i++) set.match(`h${i}`, 443);
    expect(set.cachedDecisions).toBe(4096);
  });

  it("the cache does not mix up IPv6 hosts and ports", () => {
    const set = RuleSet.fromEntries([{ match: "::1", ports: [443], peer: "local" }]);
    expect(set.match("::1", 443)?.rule.peer).toBe("local");
    expect(set.match("::1:4", 43)).toBeUndefined();
    expect(set.match("::1", 4)).toBeUndefined();
  });

  it("fromEntries rejects a bad pattern", () => {
    expect(() => RuleSet.fromEntries([{ match: "(a)\\1", peer: "p" }])).toThrow(HostPatternError);
  });

  it("match (cached) and explain (uncached) always agree (property)", () => {
    const set = RuleSet.fromEntries(
      [
        { match: "a+[.]x", ports: [1, 2], peer: "p0" },
        { match: "[ab]*", ports: [3], peer: "p1" },
        { match: "b.*", peer: "p2" },
      ],
      { cacheSize: 4 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[abAB.x]{0,5}$/), fc.integer({ min: 1, max: 4 })), { maxLength: 30 }), (queries) => {
        for (const [host, port] of queries) {
          expect(set.match(host, port)).toBe(set.explain(host, port).match);
        }
      }),
    );
  });
});

describe("RuleSet.match with users: (issue 14)", () => {
  const set = () => RuleSet.fromEntries([
    { match: "db[.]internal", peer: "ops-peer", users: ["alice", "ops-.*"] },
    { match: "db[.]internal", peer: "public-peer", users: ["bob"] },
    { match: ".*[.]internal", peer: "everyone" },
  ]);

  it("a rule limited to users matches only for them; anyone else falls through to the next rule", () => {
    const rules = set();
    expect(rules.match("db.internal", 5432, "alice")?.rule.peer).toBe("ops-peer");
    expect(rules.match("db.internal", 5432, "ops-night")?.rule.peer).toBe("ops-peer");
    expect(rules.match("db.internal", 5432, "bob")?.rule.peer).toBe("public-peer");
    expect(rules.match("db.internal", 5432, "mallory")?.rule.peer).toBe("everyone");
    expect(rules.match("db.internal", 5432)?.rule.peer).toBe("everyone");
  });

  it("patterns are anchored and case-sensitive: no prefix, suffix or case tricks", () => {
    const rules = RuleSet.fromEntries([{ match: ".*", peer: "p", users: ["ops-.*", "alice"] }]);
    for (const user of ["xops-1", "Alice", "alice2", "alic", "ALICE"]) expect(rules.match("h", 1, user), user).toBeUndefined();
    expect(rules.match("h", 1, "ops-")?.rule.peer).toBe("p");
  });

  it("the decision cache never hands one user's decision to another (a user name may hold ':')", () => {
    const rules = set();
    for (let round = 0; round < 2; round++) {
      expect(rules.match("db.internal", 5432, "alice")?.rule.peer).toBe("ops-peer");
      expect(rules.match("db.internal", 5432, "bob")?.rule.peer).toBe("public-peer");
      expect(rules.match("db.internal", 5432, "x:db.internal")?.rule.peer).toBe("everyone");
      expect(rules.match("db.internal", 5432)?.rule.peer).toBe("everyone");
    }
  });

  it("explain says which rule matched the host but is for other users", () => {
    const rules = RuleSet.fromEntries([{ match: "db[.]internal", peer: "p", users: ["alice"] }]);
    expect(rules.explain("db.internal", 1, "bob").summary).toBe(
      "no rule matches db.internal:1: rules[0] matches the host but is for users alice, not user bob",
    );
    expect(rules.explain("db.internal", 1).summary).toContain("not an unauthenticated client");
  });
});

describe("RuleSet.explain", () => {
  it("says which rules matched the host but not the port", () => {
    const set = RuleSet.fromEntries(
      [
        { match: "a[.]example", ports: [443], peer: "p" },
        { match: "b[.]example", peer: "q" },
        { match: ".*[.]example", ports: [8443, 9443], peer: "r" },
      ],
      { file: "sites/hq.yaml" },
    );
    const miss = set.explain("A.example.", 80);
    expect(miss.host).toBe("a.example");
    expect(miss.match).toBeUndefined();
    expect(miss.steps.map((s) => [s.rule.index, s.hostMatches, s.portMatches])).toEqual([
      [0, true, false],
      [1, false, true],
      [2, true, false],
    ]);
    expect(miss.summary).toBe(
      "no rule matches a.example:80: rules[0] matches the host but not port 80 (ports 443); " +
        "rules[2] matches the host but not port 80 (ports 8443, 9443)",
    );
    const hit = set.explain("b.example", 80);
    expect(hit.match?.rule.index).toBe(1);
    expect(hit.steps).toHaveLength(2);
    expect(hit.summary).toBe("rules[1] 'b[.]example' matches b.example:80: peer q");
    expect(set.explain("c.other", 1).summary).toBe("no rule matches c.other:1: no rule's pattern matches the host");
    expect(RuleSet.fromEntries([]).explain("x", 1).summary).toBe("no rule matches x:1: the rule list is empty");
    expect(set.explain("::1", 9080).summary).toBe("no rule matches [::1]:9080: no rule's pattern matches the host");
  });
});
