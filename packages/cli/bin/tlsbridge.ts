#!/usr/bin/env node
// The `tlsbridge` executable: the commands live in the cli package; this only runs them and hands
// back the exit code.
import "@tlsbridge/runtime"; // first: V8 flags must be set before the heap fills
import { runProgram } from "../src/run-program.ts"; // not the package entry: that loads the PKI helpers

await runProgram(process.argv.slice(2));
