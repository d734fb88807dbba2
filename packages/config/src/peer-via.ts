// A peer's `via:`: the corporate HTTP proxy the ingress reaches that peer through (issue 14).
//   via: http://proxy.corp.example:3128                  # short form
//   via: { proxy: https://proxy.corp.example:3129, ca: corp-ca.pem, credentialsFile: proxy.credentials }
// Credentials (Basic, `user:password`) come from a file or an environment variable, never from the
// URL or the config itself, so a config can be shared and logged; NTLM and Negotiate are not spoken.
import { isScalar } from "yaml";
import { addProblem, describeNode, expectMap, expectString, requireKey, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { CorporateProxy } from "@tlsbridge/ingress";
import { readNamedFile } from "./named-file.ts";
import { readCertificateFile } from "./pem-file.ts";

/** Keys of the long form of `via:`. */
const VIA_KEYS: readonly string[] = ["proxy", "ca", "credentialsFile", "credentialsEnv"];
const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

/** A parsed `via:` and the files it read (watched for reloads). */
export type ParsedVia = { readonly proxy: CorporateProxy; readonly files: readonly string[] };

/** Parses `via:` (a URL, or the mapping); undefined with problems recorded when it is wrong. */
export async function parseVia(node: unknown, baseDir: string, source: YamlSource, problems: ConfigProblem[]): Promise<ParsedVia | undefined> {
  const at = resolveNode(node, source);
  if (isScalar(at)) return proxyFromUrl(at, source, problems, undefined, undefined, []);
  const fields = expectMap(at, source, problems, VIA_KEYS);
  if (fields === undefined) return undefined;
  const urlNode = requireKey(fields, "proxy", source, problems);
  if (urlNode === undefined) return undefined;
  const files: string[] = [];
  let ca: Buffer | undefined;
  if (fields.values.has("ca")) {
    const read = await readCertificateFile(fields.values.get("ca"), baseDir, source, problems);
    if (read === undefined) return undefined;
    ca = read.pem;
    files.push(read.path);
  }
  const fileNode = fields.values.get("credentialsFile");
  const envNode = fields.values.get("credentialsEnv");
  if (fileNode !== undefined && envNode !== undefined) {
    addProblem(resolveNode(envNode, source), source, problems, "give credentialsFile or credentialsEnv, not both");
    return undefined;
  }
  let credentials: string | undefined;
  if (fileNode !== undefined) {
    const read = await readNamedFile(fileNode, baseDir, source, problems, "proxy credentials file");
    if (read === undefined) return undefined;
    files.push(read.path);
    credentials = basicCredentials(read.bytes.toString("utf8").replace(/\r?\n$/, ""), `${read.file}`, read.at, source, problems);
    if (credentials === undefined) return undefined;
  } else if (envNode !== undefined) {
    const name = expectString(envNode, source, problems, { nonEmpty: true });
    if (name === undefined) return undefined;
    const value = process.env[name];
    if (value === undefined) {
      addProblem(resolveNode(envNode, source), source, problems, `environment variable ${name} is not set; it should hold user:password for the corporate proxy`);
      return undefined;
    }
    credentials = basicCredentials(value, `environment variable ${name}`, resolveNode(envNode, source), source, problems);
    if (credentials === undefined) return undefined;
  }
  return proxyFromUrl(urlNode, source, problems, ca, credentials, files);
}

function proxyFromUrl(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  ca: Buffer | undefined,
  proxyAuthorization: string | undefined,
  files: readonly string[],
): ParsedVia | undefined {
  const at = resolveNode(node, source);
  const text = expectString(at, source, problems, { nonEmpty: true });
  if (text === undefined) return undefined;
  const wanted = "expected the corporate proxy as http://host:port or https://host:port";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    addProblem(at, source, problems, `${wanted}, got ${describeNode(at)}`);
    return undefined;
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) {
    addProblem(at, source, problems, `${wanted} (NTLM, Negotiate and SOCKS proxies are not supported), got scheme ${url.protocol}`);
    return undefined;
  }
  if (url.username !== "" || url.password !== "") {
    addProblem(at, source, problems, "credentials never go in the proxy URL (it is logged and shared): use credentialsFile or credentialsEnv");
    return undefined;
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    addProblem(at, source, problems, `${wanted}, with no path, query or fragment`);
    return undefined;
  }
  if (ca !== undefined && url.protocol !== "https:") {
    addProblem(at, source, problems, "ca: is for an https:// proxy; this one is http://");
    return undefined;
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === "" ? defaultPort : Number(url.port);
  if (port === 0) {
    addProblem(at, source, problems, `${wanted}: port 0 cannot be dialed`);
    return undefined;
  }
  return {
    proxy: {
      name: `${url.hostname}:${port}`,
      host,
      port,
      ...(url.protocol === "https:" ? { tls: { servername: host, ...(ca !== undefined ? { ca } : {}) } } : {}),
      ...(proxyAuthorization !== undefined ? { proxyAuthorization } : {}),
    },
    files,
  };
}

/** `Basic base64(user:password)` from `user:password`; a problem naming `where` (never the value) otherwise. */
function basicCredentials(value: string, where: string, at: unknown, source: YamlSource, problems: ConfigProblem[]): string | undefined {
  const colon = value.indexOf(":");
  // RFC 7617 §2: the user-id holds no colon; no control characters anywhere (they would break the header).
  if (colon <= 0 || /[\x00-\x1f\x7f]/.test(value)) {
    addProblem(at, source, problems, `${where} must hold one line user:password (the user name without ':')`);
    return undefined;
  }
  return `Basic ${Buffer.from(value, "utf8").toString("base64")}`;
}
