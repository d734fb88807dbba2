// `host:port` and `[v6]:port` strings from config files, checked with positions: listen addresses,
// peer addresses. A host is an IP literal or a DNS name; the port must be in range.
import { isIP } from "node:net";
import { isScalar } from "yaml";
import { addProblem, expectString, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";

/** A parsed address; `host` without brackets. */
export type HostPort = { readonly host: string; readonly port: number };

const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Parses `host:port` / `[v6]:port`; returns a reason instead of throwing. `minPort` is 0 for
 * listeners (0 picks a free port) and 1 for addresses we dial.
 */
export function parseHostPort(text: string, minPort: number): HostPort | string {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]+)$/.exec(text);
  if (m === null) return `expected host:port or [ipv6]:port, got '${text}'`;
  const host = m[1] ?? m[2] ?? "";
  if (m[1] !== undefined && isIP(host) !== 6) return `'${host}' in brackets is not an IPv6 address`;
  if (m[1] === undefined && isIP(host) === 0 && !DNS_NAME.test(host)) {
    return host === "" ? `missing host in '${text}'` : `'${host}' is neither an IP address nor a DNS name`;
  }
  const port = Number(m[3]);
  if (port < minPort || port > 65_535) return `port ${m[3]} is out of range (${minPort}-65535)`;
  return { host, port };
}

/** Expects a string node holding an address; records a positioned problem and returns undefined if not. */
export function expectHostPort(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  minPort: number,
): HostPort | undefined {
  const at = resolveNode(node, source);
  if (isScalar(at) && typeof at.value === "number") {
    // `listen: 4443`: YAML reads a bare port as a number; say what is missing, not "not a string".
    const add = minPort === 0
      ? `add the host (0.0.0.0:${at.value} for every IPv4 interface, 127.0.0.1:${at.value} for loopback only)`
      : `add the host to dial (name or address:${at.value})`;
    addProblem(at, source, problems, `expected host:port or [ipv6]:port, got the number ${at.value}: ${add}`);
    return undefined;
  }
  const text = expectString(node, source, problems, { nonEmpty: true });
  if (text === undefined) return undefined;
  const parsed = parseHostPort(text, minPort);
  if (typeof parsed === "string") {
    addProblem(resolveNode(node, source), source, problems, parsed);
    return undefined;
  }
  return parsed;
}

/** `host:port`, bracketing IPv6. */
export function formatHostPort(address: HostPort): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
