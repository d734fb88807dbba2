// Every command's options in one table: the argument parser reads them, and so does the bash
// completion (bash-completion.ts), so a new option completes the day it is added.
import type { ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

const help = { type: "boolean", short: "h" } as const;

/** The options of each command, as `parseArgs` takes them. */
export const COMMAND_OPTIONS = {
  ingress: { config: { type: "string", short: "c" }, "log-level": { type: "string" }, pretty: { type: "boolean" }, help },
  peer: { config: { type: "string", short: "c" }, "log-level": { type: "string" }, pretty: { type: "boolean" }, help },
  check: { config: { type: "string", short: "c" }, as: { type: "string" }, help },
  pki: {
    force: { type: "boolean" }, "peer-name": { type: "string", multiple: true }, "ingress-name": { type: "string" },
    "spiffe-id": { type: "string" }, role: { type: "string" }, name: { type: "string", multiple: true }, out: { type: "string" }, help,
  },
  rules: { out: { type: "string", short: "o" }, force: { type: "boolean" }, help },
  auth: { help },
  completion: { help },
} as const satisfies Record<string, Options>;

/** A command of the program. */
export type Command = keyof typeof COMMAND_OPTIONS;

/** The subcommands a command takes as its first word. */
export const SUBCOMMANDS: Readonly<Partial<Record<Command, readonly string[]>>> = {
  pki: ["init", "issue"],
  rules: ["import-ats"],
  auth: ["add", "hash"],
  completion: ["bash"],
};
