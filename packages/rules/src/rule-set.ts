// The ingress's routing table: ordered rules, first match wins, decisions memoised per host:port.
// Also explains a decision, so `tlsbridge check` can say why a host went nowhere.
import { compileHostPattern } from "./host-pattern.ts";
import type { HostPattern } from "./host-pattern.ts";
import { LruCache } from "./lru-cache.ts";
import { portAllowed } from "./match-fields.ts";
import { normaliseHost } from "./normalise-host.ts";
import { compileUserPatterns } from "./user-patterns.ts";
import type { UserPatterns } from "./user-patterns.ts";

/** One routing rule. `index` is 0-based (`rules[index]`); `line`/`column` are 1-based, 0 when not from a file. */
export type Rule = {
  readonly index: number;
  /** The regex as written; matched as `^(?:match)$`, case-insensitive. */
  readonly match: string;
  readonly pattern: HostPattern;
  /** Allowed ports; undefined means any port. */
  readonly ports: readonly number[] | undefined;
  /** The peer (or peer group) name the tunnel goes to. */
  readonly peer: string;
  /** Proxy users who may take this rule (`users:`); undefined: everyone, authenticated or not. */
  readonly users?: UserPatterns;
  readonly file: string;
  readonly line: number;
  readonly column: number;
};

/** The result of a successful match (one frozen object per rule, so matching does not allocate). */
export type RuleMatch = { readonly rule: Rule };

/** How one rule fared against a host:port in `RuleSet.explain`. */
export type RuleStep = { readonly rule: Rule; readonly hostMatches: boolean; readonly portMatches: boolean; readonly userMatches: boolean };

/** Why `match` returned what it did. `steps` covers the rules tried, up to and including the winner. */
export type RuleExplanation = {
  /** The host as compared (normalised). */
  readonly host: string;
  readonly port: number;
  readonly match: RuleMatch | undefined;
  readonly steps: readonly RuleStep[];
  /** One line for humans, e.g. "no rule matches api.example:80; rules[1] (hq.yaml:5:5) matches the host but allows only ports 443". */
  readonly summary: string;
};

/** A rule before it is placed in a set: what `RuleSet.fromEntries` takes. */
export type RuleEntry = { readonly match: string; readonly ports?: readonly number[]; readonly peer: string; readonly users?: readonly string[] };

/** Default number of host:port decisions remembered. */
export const DEFAULT_RULE_CACHE_SIZE = 4096;

const NO_MATCH = Symbol("no match");

/**
 * An ordered, immutable list of rules. `match` normalises the host (lowercase, one trailing dot
 * removed), returns the first rule whose pattern matches the whole host and whose ports allow the
 * port, and caches the decision (hit or miss) in a bounded LRU keyed by `host:port`.
 */
export class RuleSet {
  readonly rules: readonly Rule[];
  readonly #matches: readonly RuleMatch[];
  readonly #cache: LruCache<string, RuleMatch | typeof NO_MATCH>;
  /** Some rule has `users:`: decisions then depend on the user too. */
  readonly #byUser: boolean;

  constructor(rules: readonly Rule[], options: { readonly cacheSize?: number } = {}) {
    this.rules = Object.freeze(rules.map((r) => Object.freeze({ ...r, ports: r.ports && Object.freeze([...r.ports]) })));
    this.#byUser = this.rules.some((r) => r.users !== undefined);
    this.#matches = Object.freeze(this.rules.map((rule) => Object.freeze({ rule })));
    this.#cache = new LruCache(options.cacheSize ?? DEFAULT_RULE_CACHE_SIZE);
  }

  /** Builds a set from plain entries (tests, programmatic use); throws `HostPatternError` for a bad pattern. */
  static fromEntries(entries: readonly RuleEntry[], options: { readonly cacheSize?: number; readonly file?: string } = {}): RuleSet {
    const file = options.file ?? "<inline>";
    const rules = entries.map(
      (e, index): Rule => ({
        index,
        match: e.match,
        pattern: compileHostPattern(e.match),
        ports: e.ports,
        peer: e.peer,
        ...(e.users !== undefined ? { users: compileUserPatterns(e.users) } : {}),
        file,
        line: 0,
        column: 0,
      }),
    );
    return new RuleSet(rules, options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize });
  }

  /**
   * The first rule matching `host` and `port` that `user` (the authenticated proxy user, if any) may
   * take, or undefined (the tunnel is refused). A rule with `users:` never matches without a user.
   */
  match(host: string, port: number, user?: string): RuleMatch | undefined {
    const normal = normaliseHost(host);
    // Unambiguous although IPv6 hosts contain ':': the port is always after the last one, and a
    // user name (which may hold ':') is cut off by a newline, which no host or user name holds.
    const key = this.#byUser && user !== undefined ? `${user}\n${normal}:${port}` : `${normal}:${port}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached === NO_MATCH ? undefined : cached;
    const found = this.#evaluate(normal, port, user);
    this.#cache.set(key, found ?? NO_MATCH);
    return found;
  }

  /** Like `match`, without the cache, and saying why: which rules matched the host but not the port. */
  explain(host: string, port: number, user?: string): RuleExplanation {
    const normal = normaliseHost(host);
    const steps: RuleStep[] = [];
    let found: RuleMatch | undefined;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i] as Rule;
      const hostMatches = rule.pattern.matches(normal);
      const portMatches = portAllowed(rule.ports, port);
      const userMatches = userAllowed(rule.users, user);
      steps.push({ rule, hostMatches, portMatches, userMatches });
      if (hostMatches && portMatches && userMatches) {
        found = this.#matches[i];
        break;
      }
    }
    return { host: normal, port, match: found, steps, summary: summarise(normal, port, user, found, steps) };
  }

  /** Number of cached decisions (bounded by the cache size). */
  get cachedDecisions(): number {
    return this.#cache.size;
  }

  #evaluate(normal: string, port: number, user: string | undefined): RuleMatch | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i] as Rule;
      if (portAllowed(rule.ports, port) && userAllowed(rule.users, user) && rule.pattern.matches(normal)) return this.#matches[i];
    }
    return undefined;
  }
}

/** `rules[2] (hq.yaml:7:5)`: the YAML path is 0-based like `index`, the position 1-based. */
export function describeRule(rule: Rule): string {
  return rule.line > 0 ? `rules[${rule.index}] (${rule.file}:${rule.line}:${rule.column})` : `rules[${rule.index}]`;
}

/** Whether `user` may take a rule with these `users:` (none: anyone; some: an authenticated user they match). */
function userAllowed(users: UserPatterns | undefined, user: string | undefined): boolean {
  return users === undefined || (user !== undefined && users.matches(user));
}

function summarise(host: string, port: number, user: string | undefined, found: RuleMatch | undefined, steps: readonly RuleStep[]): string {
  // An IPv6 host is bracketed, as in the CONNECT target: `::1:9080` would read as one address.
  const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  if (found !== undefined) return `${describeRule(found.rule)} '${found.rule.match}' matches ${target}: peer ${found.rule.peer}`;
  const near = steps.filter((s) => s.hostMatches && (!s.portMatches || !s.userMatches));
  if (steps.length === 0) return `no rule matches ${target}: the rule list is empty`;
  if (near.length === 0) return `no rule matches ${target}: no rule's pattern matches the host`;
  const why = near.map((s) => !s.portMatches
    ? `${describeRule(s.rule)} matches the host but not port ${port} (ports ${(s.rule.ports ?? []).join(", ")})`
    : `${describeRule(s.rule)} matches the host but is for users ${(s.rule.users?.sources ?? []).join(", ")}, not ${user === undefined ? "an unauthenticated client" : `user ${user}`}`);
  return `no rule matches ${target}: ${why.join("; ")}`;
}
