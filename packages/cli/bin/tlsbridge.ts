#!/usr/bin/env node
// The `tlsbridge` executable: the commands live in the cli package; this only runs them and hands
// back the exit code.
import "@tlsbridge/runtime"; // first: V8 flags must be set before the heap fills
import { runProgram } from "../src/index.ts";

await runProgram(process.argv.slice(2));
