// The `tlsbridge` program: picks the command, parses its options with node:util parseArgs, and
// turns every user error into one line on stderr and an exit code (never a stack trace).
import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { ConfigError } from "@tlsbridge/rules";
import { EXIT_CODES, UsageError, programVersion } from "@tlsbridge/runtime";
import type { ExitCode } from "@tlsbridge/runtime";
import { bashCompletion } from "./bash-completion.ts";
import { runCheck } from "./command-check.ts";
import { COMMAND_OPTIONS } from "./command-options.ts";
import { HELP_TEXT } from "./help-text.ts";
import type { HelpTopic } from "./help-text.ts";
import { PkiError } from "./pki/pki-error.ts";

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** Runs the program with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  try {
    return await dispatch(argv);
  } catch (error) {
    return report(error);
  }
}

async function dispatch(argv: readonly string[]): Promise<ExitCode> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      err(HELP_TEXT[""]);
      return EXIT_CODES.usage;
    case "-h":
    case "--help":
    case "help":
      out(HELP_TEXT[""]);
      return EXIT_CODES.ok;
    case "-V":
    case "--version":
      out(programVersion());
      return EXIT_CODES.ok;
    case "ingress":
    case "peer":
      return runRole(command, rest);
    case "check":
      return check(rest);
    case "pki":
      return pki(rest);
    case "auth": {
      if (rest.includes("-h") || rest.includes("--help")) return help("auth");
      const { runAuth } = await import("./command-auth.ts");
      return runAuth(rest, { out, stdin: process.stdin, prompt: (text) => void process.stderr.write(text) });
    }
    case "completion":
      return completion(rest);
    case "rules": {
      // `rules import-ats`: parses its own options (see import-ats-command.ts).
      const { runRules } = await import("./import-ats/index.ts");
      return runRules(rest, { out, err });
    }
    default:
      throw new UsageError(command.startsWith("-") ? `unknown option '${command}'` : `unknown command '${command}'`);
  }
}

async function runRole(role: "ingress" | "peer", args: readonly string[]): Promise<ExitCode> {
  const { values } = parse(role, args, COMMAND_OPTIONS[role]);
  if (values.help === true) return help(role);
  const config = requireConfig(values.config, role);
  // Loaded on demand: only these two commands need sockets, TLS and the roles.
  const { runNode } = await import("@tlsbridge/runtime");
  return runNode({ role, config, logLevel: values["log-level"], pretty: values.pretty === true });
}

async function check(args: readonly string[]): Promise<ExitCode> {
  const { values, positionals } = parse("check", args, COMMAND_OPTIONS.check, true);
  if (values.help === true) return help("check");
  return runCheck(requireConfig(values.config, "check"), positionals, out, values.as);
}

async function pki(args: readonly string[]): Promise<ExitCode> {
  const { values, positionals } = parse("pki", args, COMMAND_OPTIONS.pki, true);
  if (values.help === true) return help("pki");
  const [sub, dir, ...extra] = positionals;
  if (sub !== "init" && sub !== "issue") {
    throw new UsageError(sub === undefined ? "missing subcommand (pki init DIR, pki issue DIR)" : `unknown subcommand 'pki ${sub}'`, "pki");
  }
  if (dir === undefined) throw new UsageError(`missing DIR (pki ${sub} DIR)`, "pki");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}'`, "pki");
  // Each subcommand's own options, refused on the other rather than silently ignored.
  const onlyFor = (options: ReadonlyArray<keyof typeof values>, other: string): void => {
    const given = options.find((o) => values[o] !== undefined);
    if (given !== undefined) throw new UsageError(`--${given} belongs to pki ${other}`, "pki");
  };
  // Loaded on demand: the X.509 library and its reflect-metadata polyfill serve only this command.
  const { runPkiInit, runPkiIssue } = await import("./command-pki.ts");
  if (sub === "init") {
    onlyFor(["role", "name", "out"], "issue");
    return runPkiInit(dir, {
      force: values.force === true,
      ...(values["peer-name"] === undefined ? {} : { peerNames: values["peer-name"] }),
      ...(values["ingress-name"] === undefined ? {} : { ingressName: values["ingress-name"] }),
      ...(values["spiffe-id"] === undefined ? {} : { ingressSpiffeId: values["spiffe-id"] }),
    }, out);
  }
  onlyFor(["peer-name", "ingress-name"], "init");
  const role = values.role;
  if (role !== "ingress" && role !== "peer") {
    throw new UsageError(role === undefined ? "missing --role ingress|peer" : `--role must be ingress or peer, got '${role}'`, "pki");
  }
  if (values.name === undefined) throw new UsageError("missing --name NAME (the certificate's DNS name or IP; repeatable)", "pki");
  return runPkiIssue(dir, {
    role,
    names: values.name,
    force: values.force === true,
    ...(values["spiffe-id"] === undefined ? {} : { spiffeId: values["spiffe-id"] }),
    ...(values.out === undefined ? {} : { out: values.out }),
  }, out);
}

function completion(args: readonly string[]): ExitCode {
  const { values, positionals } = parse("completion", args, COMMAND_OPTIONS.completion, true);
  if (values.help === true) return help("completion");
  const [shell, ...extra] = positionals;
  if (shell !== "bash") throw new UsageError(shell === undefined ? "missing SHELL (completion bash)" : `no completion for '${shell}' (only bash)`, "completion");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}'`, "completion");
  process.stdout.write(bashCompletion());
  return EXIT_CODES.ok;
}

/** parseArgs with its errors turned into UsageErrors; positionals only where the command takes them. */
function parse<O extends NonNullable<ParseArgsConfig["options"]>>(
  command: HelpTopic,
  args: readonly string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    // parseArgs errors are TypeErrors with ERR_PARSE_ARGS_* codes and a one-line message.
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw error;
    // Keep the first sentence: the rest is advice about `--` that rarely applies here.
    const first = (error as Error).message.split(/\.\s|\n/)[0] ?? "bad arguments";
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1), command);
  }
}

function requireConfig(config: string | undefined, command: HelpTopic): string {
  if (config === undefined || config === "") throw new UsageError("missing --config FILE", command);
  return config;
}

function help(topic: HelpTopic): ExitCode {
  out(HELP_TEXT[topic]);
  return EXIT_CODES.ok;
}

function report(error: unknown): ExitCode {
  if (error instanceof UsageError) {
    err(`tlsbridge: ${error.message}`);
    err(`Run 'tlsbridge${error.command === undefined ? "" : ` ${error.command}`} --help' for usage.`);
    return EXIT_CODES.usage;
  }
  if (error instanceof ConfigError) {
    err(error.message);
    return EXIT_CODES.usage;
  }
  if (error instanceof PkiError) {
    // A refusal to overwrite is a refusal like any other bad request: fix the command (--force).
    err(`tlsbridge pki: ${error.message}`);
    return EXIT_CODES.usage;
  }
  // Our own fault or the system's: one line, plus the stack when asked for.
  const message = error instanceof Error ? error.message : String(error);
  err(`tlsbridge: ${message}`);
  if (process.env.TLSBRIDGE_DEBUG !== undefined && error instanceof Error) err(error.stack ?? "");
  return EXIT_CODES.runtime;
}
