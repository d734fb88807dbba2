// The ingress's `listeners:` list: each a listen address, a site rule file (loaded and checked
// against the configured peers), the protocol it speaks (HTTP CONNECT by default, SOCKS5, or TLS
// routed by SNI) and optionally TLS (an HTTPS proxy) and proxy auth. One address, one listener.
import { basename, extname } from "node:path";
import {
  ConfigError,
  addProblem,
  expectMap,
  expectPort,
  expectSeq,
  parseClientNetworks,
  parseYamlText,
  positionOf,
  requireKey,
  resolveNode,
  ruleSetFromYaml,
} from "@tlsbridge/rules";
import type { ConfigProblem, RuleSet, YamlSource } from "@tlsbridge/rules";
import { DEFAULT_SNI_TARGET_PORT } from "@tlsbridge/ingress";
import type { IngressListenerOptions, ListenerProtocol } from "@tlsbridge/ingress";
import type { CertificateInfo } from "./certificate-info.ts";
import { readNamedFile } from "./named-file.ts";
import { parseListenerAuth } from "./listener-auth.ts";
import { expectHostPort, formatHostPort } from "./listen-address.ts";
import { optionalString } from "./settings-section.ts";
import { parseListenerTls } from "./tls-section.ts";

const PROTOCOLS: readonly string[] = ["http", "socks5", "sni"] satisfies ListenerProtocol[];

/** Listeners parsed from `listeners:`, with the rule file and certificates of each. */
export type ParsedListeners = {
  readonly listeners: IngressListenerOptions[];
  readonly ruleFiles: string[];
  readonly certificates: CertificateInfo[];
  /** Absolute paths of the rule and certificate files read, for the reload watcher. */
  readonly files: string[];
};

/** Parses `listeners:`; `knownPeers` undefined skips the peer-name check (the peers section is broken). */
export async function parseListeners(
  node: unknown,
  baseDir: string,
  knownPeers: ReadonlySet<string> | undefined,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<ParsedListeners> {
  const out: ParsedListeners = { listeners: [], ruleFiles: [], certificates: [], files: [] };
  const items = expectSeq(node, source, problems);
  if (items === undefined) return out;
  if (items.length === 0) addProblem(resolveNode(node, source), source, problems, "expected at least one listener");
  const seen = new Map<string, number>();
  for (const item of items) {
    const fields = expectMap(item, source, problems, ["listen", "protocol", "rules", "tls", "auth", "clients", "targetPort"]);
    if (fields === undefined) continue;
    const listenNode = requireKey(fields, "listen", source, problems);
    const address = fields.values.has("listen") ? expectHostPort(listenNode, source, problems, 0) : undefined;
    if (address !== undefined && address.port !== 0) {
      const key = formatHostPort(address);
      const at = resolveNode(listenNode, source);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, positionOf(at, source).line);
      else addProblem(at, source, problems, `duplicate listen address ${key} (already used at line ${first})`);
    }
    const protocol = optionalString(fields, "protocol", "http", (p) => PROTOCOLS.includes(p), "http, socks5 or sni", source, problems) as ListenerProtocol;
    const misplaced = misplacedKey(protocol, fields.values);
    if (misplaced !== undefined) addProblem(resolveNode(fields.values.get(misplaced.key), source), source, problems, misplaced.why);
    const targetPort = fields.values.has("targetPort") ? expectPort(fields.values.get("targetPort"), source, problems) : undefined;
    const rulesNode = requireKey(fields, "rules", source, problems);
    const loaded = fields.values.has("rules") ? await loadSiteRules(rulesNode, baseDir, knownPeers, source, problems) : undefined;
    const tls = fields.values.has("tls") ? await parseListenerTls(fields.values.get("tls"), baseDir, source, problems) : undefined;
    const auth = fields.values.has("auth") ? await parseListenerAuth(fields.values.get("auth"), baseDir, source, problems) : undefined;
    const clients = fields.values.has("clients") ? parseClientNetworks(fields.values.get("clients"), source, problems) : undefined;
    if (address === undefined || loaded === undefined || (fields.values.has("tls") && tls === undefined)) continue;
    if ((fields.values.has("auth") && auth === undefined) || (fields.values.has("clients") && clients === undefined)) continue;
    if (misplaced !== undefined || (fields.values.has("targetPort") && targetPort === undefined)) continue;
    if (!fields.values.has("auth")) {
      // Without proxy authentication there is no user, so a rule limited to users could never match.
      for (const rule of loaded.rules.rules) {
        if (rule.users === undefined) continue;
        addProblem(resolveNode(listenNode, source), source, problems,
          `${loaded.file}:${rule.line}:${rule.column}: rule has users: but this listener has no auth: { users } to tell who the client is`);
      }
    }
    out.listeners.push({
      site: loaded.site,
      host: address.host,
      port: address.port,
      rules: loaded.rules,
      protocol,
      ...(protocol === "sni" ? { targetPort: targetPort ?? DEFAULT_SNI_TARGET_PORT } : {}),
      ...(tls === undefined ? {} : { tls: { cert: tls.cert, key: tls.key } }),
      ...(auth === undefined ? {} : { auth: { users: auth.users } }),
      ...(clients === undefined || clients.cidrs.length === 0 ? {} : { clients }),
    });
    out.ruleFiles.push(loaded.file);
    out.files.push(loaded.path);
    if (auth !== undefined) out.files.push(auth.path);
    if (tls !== undefined) {
      out.certificates.push(...tls.certificates);
      out.files.push(...tls.files);
    }
  }
  return out;
}

/** A key the listener's protocol has no use for, and why; undefined when every key fits. */
function misplacedKey(protocol: ListenerProtocol, values: ReadonlyMap<string, unknown>): { key: string; why: string } | undefined {
  if (protocol !== "http" && values.has("tls")) {
    return {
      key: "tls",
      why: protocol === "sni"
        ? "tls is for protocol http: an sni listener passes the client's own TLS through untouched"
        : "tls is for protocol http: SOCKS5 over TLS is not supported",
    };
  }
  if (protocol === "sni" && values.has("auth")) {
    return { key: "auth", why: "auth needs a protocol that carries credentials (http or socks5): an sni listener cannot ask for them" };
  }
  if (protocol !== "sni" && values.has("targetPort")) {
    return { key: "targetPort", why: "targetPort is for protocol sni (the port an SNI name is dialed on); http and socks5 clients name the port" };
  }
  return undefined;
}

/** Reads a site's rule file named by `node`; the site is the file's base name (`sites/hq.yaml` -> `hq`). */
async function loadSiteRules(
  node: unknown,
  baseDir: string,
  knownPeers: ReadonlySet<string> | undefined,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<{ site: string; file: string; path: string; rules: RuleSet } | undefined> {
  const named = await readNamedFile(node, baseDir, source, problems, "rule file");
  if (named === undefined) return undefined;
  const { path, file } = named;
  const text = named.bytes.toString("utf8");
  try {
    const rules = ruleSetFromYaml(parseYamlText(text, file), knownPeers === undefined ? {} : { knownPeers });
    return { site: basename(path, extname(path)), file, path, rules };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}
