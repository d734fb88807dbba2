// A listener's `clients:` list: the networks (CIDR blocks, IPv4 and IPv6) whose addresses may
// connect. Matched with node:net's BlockList, which also matches an IPv4-mapped IPv6 address
// (`::ffff:10.1.2.3`, how a dual-stack listener sees an IPv4 client) against IPv4 blocks.
import net from "node:net";
import type { ConfigProblem } from "./config-error.ts";
import { addProblem } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { expectSeq, expectString, resolveNode } from "./yaml-validate.ts";

/** One parsed CIDR block: `10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128. */
export type Cidr = {
  readonly address: string;
  readonly prefix: number;
  readonly family: "ipv4" | "ipv6";
};

const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses `address[/prefix]`; a message saying what is wrong when it is not a CIDR block. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf("/");
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = net.isIP(address);
  if (version === 0) return `'${text}' is not a CIDR block: '${address}' is not an IPv4 or IPv6 address (write e.g. 10.0.0.0/8 or fd00::/8)`;
  const max = version === 4 ? 32 : 128;
  if (slash === -1) return { address, prefix: max, family: version === 4 ? "ipv4" : "ipv6" };
  const prefixText = text.slice(slash + 1);
  const prefix = PREFIX.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix <= max)) return `'${text}' is not a CIDR block: the prefix length must be 0 to ${max}`;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** `10.0.0.0/8`: how a block is shown (`check`, `config.loaded`). */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.address}/${cidr.prefix}`;
}

/** The networks allowed to connect. Empty: anyone who can reach the port. */
export class ClientNetworks {
  readonly cidrs: readonly Cidr[];
  readonly #list = new net.BlockList();

  constructor(cidrs: readonly Cidr[]) {
    this.cidrs = Object.freeze([...cidrs]);
    for (const cidr of cidrs) this.#list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }

  /** Builds the list from CIDR strings; throws for one that is not a CIDR block. */
  static fromStrings(texts: readonly string[]): ClientNetworks {
    return new ClientNetworks(texts.map((text) => {
      const cidr = parseCidr(text);
      if (typeof cidr === "string") throw new Error(cidr);
      return cidr;
    }));
  }

  /** Whether a client at `address` (as a socket reports it; undefined when it is gone) may connect. */
  admits(address: string | undefined): boolean {
    if (this.cidrs.length === 0) return true;
    if (address === undefined) return false;
    const version = net.isIP(address);
    return version !== 0 && this.#list.check(address, version === 4 ? "ipv4" : "ipv6");
  }
}

/** Validates a `clients:` node (a list of CIDR strings), each bad entry a problem at its position. */
export function parseClientNetworks(node: unknown, source: YamlSource, problems: ConfigProblem[]): ClientNetworks | undefined {
  const items = expectSeq(node, source, problems);
  if (items === undefined) return undefined;
  const cidrs: Cidr[] = [];
  let ok = true;
  for (const item of items) {
    const text = expectString(item, source, problems, { nonEmpty: true });
    const cidr = text === undefined ? undefined : parseCidr(text);
    if (typeof cidr === "string") addProblem(resolveNode(item, source), source, problems, cidr);
    if (cidr === undefined || typeof cidr === "string") ok = false;
    else cidrs.push(cidr);
  }
  return ok ? new ClientNetworks(cidrs) : undefined;
}
