// A listener's `clients:` list: the networks (CIDR blocks, IPv4 and IPv6) whose addresses may
// connect. Parsed and matched by cidr.ts, so an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, how a
// dual-stack listener sees an IPv4 client) matches IPv4 blocks.
import type { Cidr, CidrFault, CidrMatcher } from "./cidr.ts";
import { cidrMatcher, isCidrFault, readCidr } from "./cidr.ts";
import { readCidrTexts } from "./cidr-texts.ts";
import type { ConfigProblem } from "./config-error.ts";
import type { YamlSource } from "./yaml-source.ts";
import { expectSeq } from "./yaml-validate.ts";

/** What is wrong with `text` as a `clients:` entry. */
function describeFault(text: string, fault: CidrFault): string {
  return fault.fault === "address"
    ? `'${text}' is not a CIDR block: '${fault.address}' is not an IPv4 or IPv6 address (write e.g. 10.0.0.0/8 or fd00::/8)`
    : `'${text}' is not a CIDR block: the prefix length must be 0 to ${fault.maxPrefix}`;
}

/** Parses `address[/prefix]`; a message saying what is wrong when it is not a CIDR block. */
export function parseCidr(text: string): Cidr | string {
  const cidr = readCidr(text);
  return isCidrFault(cidr) ? describeFault(text, cidr) : cidr;
}

/** The networks allowed to connect. Empty: anyone who can reach the port. */
export class ClientNetworks {
  readonly cidrs: readonly Cidr[];
  readonly #matches: CidrMatcher;

  constructor(cidrs: readonly Cidr[]) {
    this.cidrs = Object.freeze([...cidrs]);
    this.#matches = cidrMatcher(cidrs);
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
    return address !== undefined && this.#matches(address);
  }
}

/** Validates a `clients:` node (a list of CIDR strings), each bad entry a problem at its position. */
export function parseClientNetworks(node: unknown, source: YamlSource, problems: ConfigProblem[]): ClientNetworks | undefined {
  const items = expectSeq(node, source, problems);
  const texts = items === undefined ? undefined : readCidrTexts(items, source, problems, describeFault);
  return texts === undefined ? undefined : ClientNetworks.fromStrings(texts);
}
