// What the `tlsbridge` executable does, shared by the bin file (Node running the sources) and the
// single executable (scripts/build-sea.ts): run the command and hand back its exit code.
import { main } from "./main.ts";

/** Runs `tlsbridge ...argv` and sets the process's exit code when the command is done. */
export async function runProgram(argv: readonly string[]): Promise<void> {
  // A reader that stops early (`tlsbridge check ... | head`) is not a failure of ours: without this,
  // the write's EPIPE would end the program with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.exitCode = await main(argv);
}
