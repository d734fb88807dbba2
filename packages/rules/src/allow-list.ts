// The peer's destination allow list: nothing is reachable unless an entry names it. Same `match` and
// `ports` semantics as rules, but unordered and with no peer; an entry may be limited to some ingress
// identities (`ingresses:`), say which addresses its names may resolve to (`addresses:`), and say
// whether its service wants a PROXY v2 header (`proxyProtocol: v2`).
import { isScalar } from "yaml";
import { compileAddressRanges, describeAddressRangeFault } from "./address-ranges.ts";
import type { AddressRanges } from "./address-ranges.ts";
import { readCidrTexts } from "./cidr-texts.ts";
import type { ConfigProblem } from "./config-error.ts";
import { throwIfProblems } from "./config-error.ts";
import { compileHostPattern } from "./host-pattern.ts";
import type { HostPattern } from "./host-pattern.ts";
import { LruCache } from "./lru-cache.ts";
import { parseMatchFields, portAllowed } from "./match-fields.ts";
import { normaliseHost } from "./normalise-host.ts";
import { parsePatternList } from "./pattern-list.ts";
import { addProblem, positionOf } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { describeNode, expectMap, expectNonEmptySeq, expectSeq, resolveNode } from "./yaml-validate.ts";
import type { YamlFields } from "./yaml-validate.ts";

/** Keys of one allow entry. */
export const ALLOW_ENTRY_KEYS: readonly string[] = ["match", "ports", "ingresses", "addresses", "proxyProtocol"];

/** One allow-list entry; `index` 0-based, `line`/`column` 1-based (0 when not from a file). */
export type AllowEntry = {
  readonly index: number;
  readonly match: string;
  readonly pattern: HostPattern;
  /** Allowed ports; undefined means any port. */
  readonly ports: readonly number[] | undefined;
  /**
   * Ingress identities the entry is for: patterns matched against the client certificate's DNS
   * names, URIs (SPIFFE IDs) and CN. Undefined: every ingress the peer accepts.
   */
  readonly ingresses: readonly HostPattern[] | undefined;
  /**
   * Addresses the entry's names may resolve to (and the only way to admit loopback, link-local,
   * unspecified or multicast ones). Undefined: any address but those special-purpose ranges.
   */
  readonly addresses: AddressRanges | undefined;
  /** `v2`: the peer starts the service connection with a PROXY v2 header naming the client. */
  readonly proxyProtocol?: ProxyProtocol;
  readonly file: string;
  readonly line: number;
  readonly column: number;
};

/** The PROXY protocol versions an allow entry may opt into. */
export type ProxyProtocol = "v2";

const PROXY_PROTOCOLS: readonly ProxyProtocol[] = ["v2"];

/** A plain entry for {@link AllowList.fromEntries}: the YAML keys, uncompiled. */
export type PlainAllowEntry = {
  readonly match: string;
  readonly ports?: readonly number[];
  readonly ingresses?: readonly string[];
  readonly addresses?: readonly string[];
  readonly proxyProtocol?: ProxyProtocol;
};

/** Which destinations a peer may dial. An empty list allows nothing. Host decisions are cached (bounded LRU). */
export class AllowList {
  readonly entries: readonly AllowEntry[];
  readonly #cache: LruCache<string, readonly AllowEntry[]>;

  constructor(entries: readonly AllowEntry[], options: { readonly cacheSize?: number } = {}) {
    this.entries = Object.freeze(entries.map((e) => Object.freeze({ ...e, ports: e.ports && Object.freeze([...e.ports]) })));
    this.#cache = new LruCache(options.cacheSize ?? 4096);
  }

  /** Builds a list from plain entries; throws `HostPatternError` for a bad pattern, TypeError for a bad range. */
  static fromEntries(
    entries: readonly PlainAllowEntry[],
    options: { readonly cacheSize?: number; readonly file?: string } = {},
  ): AllowList {
    const file = options.file ?? "<inline>";
    return new AllowList(
      entries.map((e, index) => ({
        index,
        match: e.match,
        pattern: compileHostPattern(e.match),
        ports: e.ports,
        ingresses: e.ingresses?.map(compileHostPattern),
        addresses: e.addresses === undefined ? undefined : compileAddressRanges(e.addresses),
        ...(e.proxyProtocol !== undefined ? { proxyProtocol: e.proxyProtocol } : {}),
        file,
        line: 0,
        column: 0,
      })),
      options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize },
    );
  }

  /** The entries whose `match` and `ports` admit `host:port` (host normalised), whichever ingress asks. */
  forTarget(host: string, port: number): readonly AllowEntry[] {
    const normal = normaliseHost(host);
    const key = `${normal}:${port}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const found = Object.freeze(this.entries.filter((e) => portAllowed(e.ports, port) && e.pattern.matches(normal)));
    this.#cache.set(key, found);
    return found;
  }

  /** The entries admitting `host:port` for an ingress whose certificate carries `names` (see {@link appliesTo}). */
  admitting(host: string, port: number, names: readonly string[]): readonly AllowEntry[] {
    const entries = this.forTarget(host, port);
    return entries.every((e) => e.ingresses === undefined) ? entries : entries.filter((e) => appliesTo(e, names));
  }
}

/** Whether `entry` is for an ingress whose certificate carries `names` (DNS names, URIs, CN). */
export function appliesTo(entry: AllowEntry, names: readonly string[]): boolean {
  const patterns = entry.ingresses;
  return patterns === undefined || names.some((name) => patterns.some((pattern) => pattern.matches(name)));
}

/**
 * Validates the peer's `allow:` list node (`- {match, ports?, ingresses?, addresses?}` entries). With `problems`, problems
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
    const fields = expectMap(item, source, collected, ALLOW_ENTRY_KEYS);
    if (fields === undefined) return;
    const matched = parseMatchFields(fields, source, collected);
    const ingresses = fields.values.has("ingresses")
      ? parsePatternList(fields.values.get("ingresses"), source, collected,
        "an empty `ingresses` list would admit no ingress; leave the key out for every ingress the peer accepts") ?? null
      : undefined;
    const addresses = fields.values.has("addresses") ? parseAddresses(fields, source, collected) ?? null : undefined;
    const proxyProtocol = fields.values.has("proxyProtocol")
      ? expectProxyProtocol(fields.values.get("proxyProtocol"), source, collected) ?? null
      : undefined;
    if (matched === undefined || ingresses === null || addresses === null || proxyProtocol === null) return;
    const at = positionOf(fields.node, source);
    entries.push({
      index, ...matched, ingresses, addresses, ...(proxyProtocol !== undefined ? { proxyProtocol } : {}),
      file: source.file, line: at.line, column: at.column,
    });
  });
  if (problems === undefined) throwIfProblems(collected);
  return new AllowList(entries, options);
}

/** Reads `addresses:`, a non-empty list of IP addresses or CIDR ranges; undefined when it is wrong. */
function parseAddresses(fields: YamlFields, source: YamlSource, problems: ConfigProblem[]): AddressRanges | undefined {
  const items = expectNonEmptySeq(fields.values.get("addresses"), source, problems,
    "an empty `addresses` list would admit no address; leave the key out to admit any address but the special-purpose ones");
  const texts = items === undefined ? undefined : readCidrTexts(items, source, problems, describeAddressRangeFault);
  return texts === undefined ? undefined : compileAddressRanges(texts);
}

/** `proxyProtocol: v2`; anything else is a problem at the value. */
function expectProxyProtocol(node: unknown, source: YamlSource, problems: ConfigProblem[]): ProxyProtocol | undefined {
  const value = resolveNode(node, source);
  const text = isScalar(value) ? value.value : undefined;
  const known = PROXY_PROTOCOLS.find((p) => p === text);
  if (known === undefined) addProblem(value, source, problems, `expected proxyProtocol v2, got ${describeNode(value)}`);
  return known;
}
