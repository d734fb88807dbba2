// Reads Apache Traffic Server tls_bridge configuration for `tlsbridge rules import-ats`: either a
// plugin.config whose `tls_bridge.so` line holds `regex peer` pairs and `--file path` arguments, or
// such a `--file` mapping file itself (`regex peer` per line, `#` comments). Pure apart from the
// `readFile` callback, so tests hand it text.
import { dirname, isAbsolute, resolve } from "node:path";

/** One ATS mapping: a destination regex and the peer (`host[:port]`) it sends matches to. */
export type AtsMapping = {
  readonly pattern: string;
  readonly peer: string;
  /** Where it was written (display path and 1-based line). */
  readonly file: string;
  readonly line: number;
};

/** What the input held, in ATS's order (first match wins there as here). */
export type AtsConfig = {
  readonly kind: "plugin.config" | "mapping file";
  readonly mappings: AtsMapping[];
  /** Mapping files read through `--file`, in order. */
  readonly includes: string[];
  /** `file:line: message` for everything that could not be read as ATS would read it. */
  readonly problems: string[];
};

/** Reads a file named by `--file`; throws with a message for the problem list when it cannot. */
export type ReadInclude = (path: string) => string;

const PLUGIN = /(^|\/)tls_bridge\.so$/;

/**
 * Parses `text` (read from `file`). A file with a `tls_bridge.so` line is a plugin.config (other
 * plugins' lines are ignored); one whose lines name other `.so` plugins only is an error; anything
 * else is read as a mapping file. `--file` paths resolve against `file`'s folder, which is ATS's
 * configuration folder when the input is its plugin.config.
 */
export function parseAtsConfig(text: string, file: string, readInclude: ReadInclude): AtsConfig {
  const lines = meaningfulLines(text);
  const pluginLines = lines.filter((l) => PLUGIN.test(l.tokens[0] ?? ""));
  const out: AtsConfig = { kind: "plugin.config", mappings: [], includes: [], problems: [] };
  if (pluginLines.length === 0) {
    if (lines.some((l) => /\.so$/.test(l.tokens[0] ?? ""))) {
      out.problems.push(`${file}: a plugin.config without a tls_bridge.so line`);
      return out;
    }
    return { ...out, kind: "mapping file", mappings: parseMappingLines(lines, file, out.problems) };
  }
  if (pluginLines.length > 1) {
    out.problems.push(`${file}:${pluginLines[1]?.line ?? 0}: a second tls_bridge.so line (ATS loads a plugin once; merge them into one)`);
  }
  const first = pluginLines[0]!;
  const args = first.tokens.slice(1);
  for (let i = 0; i < args.length; i += 2) {
    const a = args[i]!;
    const b = args[i + 1];
    if (a === "--file") {
      if (b === undefined) {
        out.problems.push(`${file}:${first.line}: --file without a file name`);
        break;
      }
      const path = isAbsolute(b) ? b : resolve(dirname(file), b);
      out.includes.push(b);
      let included: string;
      try {
        included = readInclude(path);
      } catch (err) {
        out.problems.push(`${file}:${first.line}: --file ${b}: ${(err as Error).message}`);
        continue;
      }
      out.mappings.push(...parseMappingLines(meaningfulLines(included), b, out.problems));
      continue;
    }
    if (b === undefined) {
      out.problems.push(`${file}:${first.line}: destination regular expression '${a}' without a peer`);
      break;
    }
    out.mappings.push({ pattern: a, peer: b, file, line: first.line });
  }
  return out;
}

type Line = { readonly line: number; readonly tokens: string[] };

/** Non-blank lines whose first non-space character is not `#`, split into arguments. */
function meaningfulLines(text: string): Line[] {
  const out: Line[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    out.push({ line: index + 1, tokens: splitArgs(trimmed) });
  });
  return out;
}

/** Splits on whitespace; a double-quoted argument may hold spaces (as in plugin.config). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) out.push(m[1] ?? m[2] ?? "");
  return out;
}

function parseMappingLines(lines: readonly Line[], file: string, problems: string[]): AtsMapping[] {
  const out: AtsMapping[] = [];
  for (const { line, tokens } of lines) {
    const [pattern, peer, ...extra] = tokens;
    if (pattern === undefined || peer === undefined || extra.length > 0) {
      problems.push(`${file}:${line}: expected 'regex peer', got ${tokens.length} field${tokens.length === 1 ? "" : "s"}`);
      continue;
    }
    out.push({ pattern, peer, file, line });
  }
  return out;
}

/** An ATS peer (`host`, `host:port`, `[v6]:port`) as host and port; ATS's default port was 443. */
export function parseAtsPeer(peer: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(peer);
  if (m === null) return undefined;
  const port = m[3] === undefined ? 443 : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? "", port };
}
