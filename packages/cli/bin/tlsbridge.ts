#!/usr/bin/env node
// The `tlsbridge` executable: everything lives in the cli package; this only runs it and hands
// back the exit code.
import { main } from "../src/index.ts";

process.exitCode = await main(process.argv.slice(2));
