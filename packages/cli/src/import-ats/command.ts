// `tlsbridge rules import-ats FILE [--out FILE] [--force]`: migrates an ATS tls_bridge configuration
// (plugin.config or a --file mapping file) to a tlsbridge rule file, and says on stderr, rule by
// rule, what matches differently now and which peers ingress.yaml must define.
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { COMMAND_OPTIONS } from "../command-options.ts";
import { compileHostPattern, parseYamlText, ruleSetFromYaml } from "@tlsbridge/rules";
import { displayPath } from "@tlsbridge/config";
import { EXIT_CODES, UsageError } from "@tlsbridge/runtime";
import type { ExitCode } from "@tlsbridge/runtime";
import { notesFor } from "./notes.ts";
import { parseAtsConfig } from "./parse.ts";
import type { AtsMapping } from "./parse.ts";
import { distinctPeers, namePeers, peersSnippet, ruleFileYaml } from "./yaml.ts";

/** `tlsbridge rules --help`. */
export const RULES_HELP = `Usage: tlsbridge rules import-ats FILE [--out FILE] [--force]

Reads an Apache Traffic Server tls_bridge configuration and writes a tlsbridge rule file:
  - a plugin.config with a line 'tls_bridge.so REGEX PEER ... [--file PATH] ...' (--file paths
    are read relative to FILE's folder, ATS's configuration folder), or
  - a --file mapping file: 'REGEX PEER' per line, '#' comments.
The order is kept (first match wins in both). Prints on stderr what changes per rule: ATS anchored
a regex only at its start and matched case-sensitively; tlsbridge matches the whole host in any
case. Also prints the 'peers:' section ingress.yaml needs (ATS peers were host:port).

Options:
  -o, --out FILE   write the rule file here (default: stdout)
  --force          replace FILE given to --out if it exists
  -h, --help       show this help

Example: tlsbridge rules import-ats /etc/trafficserver/plugin.config --out configs/sites/hq.yaml
Exit codes: 0 written, 2 unreadable input or nothing importable (one file:line: message per problem).
`;

/** Output channels, so tests can capture them. */
export type RulesIo = { readonly out: (line: string) => void; readonly err: (line: string) => void };

/** Runs `tlsbridge rules ...args`. */
export async function runRules(args: readonly string[], io: RulesIo): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: COMMAND_OPTIONS.rules,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const first = (error as Error).message.split(/\.\s|\n/)[0] ?? "bad arguments";
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1), "rules");
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(RULES_HELP);
    return EXIT_CODES.ok;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== "import-ats") {
    throw new UsageError(sub === undefined ? "missing subcommand (rules import-ats FILE)" : `unknown subcommand 'rules ${sub}'`, "rules");
  }
  if (file === undefined) throw new UsageError("missing FILE (rules import-ats FILE)", "rules");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}'`, "rules");
  if (values.out !== undefined && existsSync(values.out) && values.force !== true) {
    throw new UsageError(`${values.out} exists (add --force to replace it)`, "rules");
  }
  return importAts(file, values.out, io);
}

/** Why a file could not be read, in the words the config loaders use. */
function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code ?? String(err);
}

async function importAts(file: string, outFile: string | undefined, io: RulesIo): Promise<ExitCode> {
  const shown = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    io.err(`tlsbridge rules import-ats: cannot read ${shown}: ${readFailure(err)}`);
    return EXIT_CODES.usage;
  }
  const config = parseAtsConfig(text, shown, (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`cannot read ${displayPath(path)}: ${readFailure(err)}`);
    }
  });
  const problems = [...config.problems];
  const peers = namePeers(config.mappings);
  const usable: AtsMapping[] = [];
  for (const m of config.mappings) {
    const at = `${m.file}:${m.line}`;
    if (!peers.has(m.peer)) {
      problems.push(`${at}: peer '${m.peer}' is not host, host:port or [ipv6]:port`);
      continue;
    }
    try {
      compileHostPattern(m.pattern);
    } catch (err) {
      // PCRE features re2js lacks (lookaround, backreferences): the rule must be rewritten by hand.
      problems.push(`${at}: '${m.pattern}': ${(err as Error).message}`);
      continue;
    }
    usable.push(m);
  }
  if (usable.length === 0 && problems.length === 0) problems.push(`${shown}: no tls_bridge mappings found`);
  if (problems.length > 0) {
    for (const p of problems) io.err(p);
    io.err(`tlsbridge rules import-ats: nothing written (${problems.length} problem${problems.length === 1 ? "" : "s"})`);
    return EXIT_CODES.usage;
  }

  const from = [shown, ...config.includes].join(", ");
  const yaml = ruleFileYaml(usable, peers, from);
  // The output must load as a rule file naming exactly these peers; a failure here is our bug.
  ruleSetFromYaml(parseYamlText(yaml, outFile ?? "<import-ats output>"), { knownPeers: distinctPeers(peers).map((p) => p.name) });

  report(usable, peers, from, io.err);
  if (outFile === undefined) {
    io.out(yaml.trimEnd());
  } else {
    await writeFile(outFile, yaml);
    io.out(`wrote ${displayPath(outFile)} (${usable.length} rule${usable.length === 1 ? "" : "s"})`);
  }
  return EXIT_CODES.ok;
}

function report(mappings: readonly AtsMapping[], peers: ReturnType<typeof namePeers>, from: string, err: (line: string) => void): void {
  err(`tlsbridge rules import-ats: ${mappings.length} rule${mappings.length === 1 ? "" : "s"} from ${from}`);
  err("warning: ATS's tls_bridge anchored a destination regex only at its start and matched it");
  err("  case-sensitively; a tlsbridge rule matches the whole host name (^(?:regex)$) in any case.");
  err("  What changes, rule by rule:");
  mappings.forEach((m, index) => {
    const notes = notesFor(m.pattern);
    err(`  rules[${index}] '${m.pattern}' -> ${peers.get(m.peer)?.name ?? m.peer}  (${m.file}:${m.line})`);
    const lines = [notes.anchoring ?? "anchoring: same hosts as in ATS (the regex ends in .* or $)", notes.caseFolding, ...notes.hints];
    for (const line of lines) if (line !== undefined) err(`    - ${line}`);
  });
  err("note: the rules name peers that must be defined in ingress.yaml (ATS peers were host:port):");
  for (const line of peersSnippet(distinctPeers(peers))) err(`  ${line}`);
  err("  Add `servername:` where the peer's certificate names it differently from its address.");
}
