// Reads a password for `tlsbridge auth`: from the terminal with echo off (asked twice), or the first
// line of stdin when it is a pipe. Never from argv: command lines end up in shell history and `ps`.
import type { Readable } from "node:stream";
import { UsageError } from "@tlsbridge/runtime";

/** Where the password comes from and where prompts go. */
export type PasswordInput = {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Prompts (stderr), so stdout stays the command's output. */
  readonly prompt: (text: string) => void;
};

/** The password; UsageError when it is empty or the two terminal entries differ. */
export async function readPassword(input: PasswordInput): Promise<string> {
  let password: string;
  if (input.stdin.isTTY === true && input.stdin.setRawMode !== undefined) {
    password = await readHidden(input, "Password: ");
    const again = await readHidden(input, "Again: ");
    if (again !== password) throw new UsageError("the two passwords differ", "auth");
  } else {
    password = firstLine(await readAll(input.stdin));
  }
  if (password === "") throw new UsageError("empty password", "auth");
  return password;
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return (end < 0 ? text : text.slice(0, end)).replace(/\r$/, "");
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function readHidden(input: PasswordInput, prompt: string): Promise<string> {
  const { stdin } = input;
  input.prompt(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error): void => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      input.prompt("\n");
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003" || char === "\u0004") return done(new UsageError("cancelled", "auth"));
        if (char === "\u007f" || char === "\b") typed = [...typed].slice(0, -1).join("");
        else if (char >= " ") typed += char;
      }
    };
    stdin.setRawMode?.(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}
