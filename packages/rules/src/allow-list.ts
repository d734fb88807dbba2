// The peer's destination allow list: nothing is reachable unless an entry names it. Same `match` and
// `ports` semantics as rules, with no peer. The first entry that allows a destination also says
// whether its service wants a PROXY v2 header (`proxyProtocol: v2`).
import { isScalar } from "yaml";
import type { ConfigProblem } from "./config-error.ts";
import { throwIfProblems } from "./config-error.ts";
import { compileHostPattern } from "./host-pattern.ts";
import type { HostPattern } from "./host-pattern.ts";
import { LruCache } from "./lru-cache.ts";
import { parseMatchFields, portAllowed } from "./match-fields.ts";
import { normaliseHost } from "./normalise-host.ts";
import { addProblem, positionOf } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { describeNode, expectMap, expectSeq, resolveNode } from "./yaml-validate.ts";

/** One allow-list entry; `index` 0-based, `line`/`column` 1-based (0 when not from a file). */
export type AllowEntry = {
  readonly index: number;
  readonly match: string;
  readonly pattern: HostPattern;
  /** Allowed ports; undefined means any port. */
  readonly ports: readonly number[] | undefined;
  /** `v2`: the peer starts the service connection with a PROXY v2 header naming the client. */
  readonly proxyProtocol?: ProxyProtocol;
  readonly file: string;
  readonly line: number;
  readonly column: number;
};

/** The PROXY protocol versions an allow entry may opt into. */
export type ProxyProtocol = "v2";

const PROXY_PROTOCOLS: readonly ProxyProtocol[] = ["v2"];

const NOT_ALLOWED = Symbol("not allowed");

/** Which destinations a peer may dial. An empty list allows nothing. Decisions are cached (bounded LRU). */
export class AllowList {
  readonly entries: readonly AllowEntry[];
  readonly #cache: LruCache<string, AllowEntry | typeof NOT_ALLOWED>;

  constructor(entries: readonly AllowEntry[], options: { readonly cacheSize?: number } = {}) {
    this.entries = Object.freeze(entries.map((e) => Object.freeze({ ...e, ports: e.ports && Object.freeze([...e.ports]) })));
    this.#cache = new LruCache(options.cacheSize ?? 4096);
  }

  /** Builds a list from plain `{ match, ports? }` entries; throws `HostPatternError` for a bad pattern. */
  static fromEntries(
    entries: readonly { readonly match: string; readonly ports?: readonly number[]; readonly proxyProtocol?: ProxyProtocol }[],
    options: { readonly cacheSize?: number; readonly file?: string } = {},
  ): AllowList {
    const file = options.file ?? "<inline>";
    return new AllowList(
      entries.map((e, index) => ({
        index,
        match: e.match,
        pattern: compileHostPattern(e.match),
        ports: e.ports,
        ...(e.proxyProtocol !== undefined ? { proxyProtocol: e.proxyProtocol } : {}),
        file,
        line: 0,
        column: 0,
      })),
      options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize },
    );
  }

  /** The first entry allowing `host:port` (host normalised), or undefined. */
  find(host: string, port: number): AllowEntry | undefined {
    const normal = normaliseHost(host);
    const key = `${normal}:${port}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached === NOT_ALLOWED ? undefined : cached;
    const found = this.entries.find((e) => portAllowed(e.ports, port) && e.pattern.matches(normal));
    this.#cache.set(key, found ?? NOT_ALLOWED);
    return found;
  }

  /** Whether the peer may dial `host:port`. */
  allows(host: string, port: number): boolean {
    return this.find(host, port) !== undefined;
  }
}

/**
 * Validates the peer's `allow:` list node (`- {match, ports?}` entries). With `problems`, problems
 * are appended and a best-effort list returned (so the config loader can report the whole peer.yaml at once);
 * without it, any problem throws one `ConfigError`.
 */
export function parseAllowList(
  node: unknown,
  source: YamlSource,
  problems?: ConfigProblem[],
  options: { readonly cacheSize?: number } = {},
): AllowList {
  const collected: ConfigProblem[] = problems ?? [];
  const entries: AllowEntry[] = [];
  const items = expectSeq(node, source, collected) ?? [];
  items.forEach((item, index) => {
    const fields = expectMap(item, source, collected, ["match", "ports", "proxyProtocol"]);
    if (fields === undefined) return;
    const matched = parseMatchFields(fields, source, collected);
    const proxyProtocol = fields.values.has("proxyProtocol")
      ? expectProxyProtocol(fields.values.get("proxyProtocol"), source, collected)
      : undefined;
    if (matched === undefined || (fields.values.has("proxyProtocol") && proxyProtocol === undefined)) return;
    const at = positionOf(fields.node, source);
    entries.push({
      index, ...matched, ...(proxyProtocol !== undefined ? { proxyProtocol } : {}), file: source.file, line: at.line, column: at.column,
    });
  });
  if (problems === undefined) throwIfProblems(collected);
  return new AllowList(entries, options);
}

/** `proxyProtocol: v2`; anything else is a problem at the value. */
function expectProxyProtocol(node: unknown, source: YamlSource, problems: ConfigProblem[]): ProxyProtocol | undefined {
  const value = resolveNode(node, source);
  const text = isScalar(value) ? value.value : undefined;
  const known = PROXY_PROTOCOLS.find((p) => p === text);
  if (known === undefined) addProblem(value, source, problems, `expected proxyProtocol v2, got ${describeNode(value)}`);
  return known;
}
