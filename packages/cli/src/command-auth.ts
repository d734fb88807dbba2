// `tlsbridge auth hash` and `tlsbridge auth add FILE USER`: make the scrypt hashes of a proxy users
// file (an ingress listener's `auth: { users: FILE }`). The password is read from the terminal or
// stdin, never from the command line.
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatPasswordHash, hashPassword } from "@tlsbridge/ingress";
import { throwIfProblems } from "@tlsbridge/rules";
import type { ConfigProblem } from "@tlsbridge/rules";
import { displayPath, parseUsersText, USER_NAME } from "@tlsbridge/config";
import { EXIT_CODES, UsageError } from "@tlsbridge/runtime";
import type { ExitCode } from "@tlsbridge/runtime";
import { readPassword } from "./read-password.ts";
import type { PasswordInput } from "./read-password.ts";

/** Output channels and the password source, so tests can drive the command. */
export type AuthIo = PasswordInput & { readonly out: (line: string) => void };

/** Runs `tlsbridge auth ...args` (without `--help`, which main answers). */
export async function runAuth(args: readonly string[], io: AuthIo): Promise<ExitCode> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true }));
  } catch (error) {
    const first = (error as Error).message.split(/\.\s|\n/)[0] ?? "bad arguments";
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1), "auth");
  }
  const [sub, ...rest] = positionals;
  if (sub === "hash") {
    if (rest.length > 0) throw new UsageError("auth hash takes no argument: the password is read from stdin or the terminal", "auth");
    io.out(formatPasswordHash(await hashPassword(await readPassword(io))));
    return EXIT_CODES.ok;
  }
  if (sub === "add") {
    const [file, user, ...extra] = rest;
    if (file === undefined || user === undefined) throw new UsageError("missing FILE or USER (auth add FILE USER)", "auth");
    if (extra.length > 0) throw new UsageError("auth add takes no password argument: it is read from stdin or the terminal", "auth");
    if (!USER_NAME.test(user)) throw new UsageError(`bad user name ${JSON.stringify(user)} (no ':', whitespace or control characters)`, "auth");
    const existing = await readExisting(file);
    const line = `${user}:${formatPasswordHash(await hashPassword(await readPassword(io)))}`;
    const lines = existing.text === "" ? [] : existing.text.replace(/\n$/, "").split("\n");
    const at = lines.findIndex((l) => l.startsWith(`${user}:`));
    if (at >= 0) lines[at] = line;
    else lines.push(line);
    // Written beside the file and renamed over it: a reader (a reloading ingress) sees old or new.
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${lines.join("\n")}\n`, { mode: existing.mode });
    await rename(temp, file);
    io.out(`${at >= 0 ? "changed the password of" : "added"} ${user} in ${displayPath(file)}`);
    return EXIT_CODES.ok;
  }
  throw new UsageError(sub === undefined ? "missing subcommand (auth hash | auth add FILE USER)" : `unknown subcommand 'auth ${sub}'`, "auth");
}

/** The file's text and mode (a new file: empty, 0600); a file with bad lines is refused, not rewritten. */
async function readExisting(file: string): Promise<{ text: string; mode: number }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { text: "", mode: 0o600 };
    throw err;
  }
  const problems: ConfigProblem[] = [];
  parseUsersText(text, displayPath(file), problems);
  throwIfProblems(problems);
  return { text, mode: (await stat(file)).mode & 0o777 };
}
