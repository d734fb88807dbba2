#!/usr/bin/env node
// The `tlsbridge` executable: the commands live in the cli package; this only runs them and hands
// back the exit code.
import "@tlsbridge/runtime"; // first: V8 flags must be set before the heap fills
import { main } from "../src/main.ts"; // not the package entry: that loads the PKI helpers

// A reader that stops early (`tlsbridge check ... | head`) is not a failure of ours: without this,
// the write's EPIPE would end the program with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
