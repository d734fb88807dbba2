// The entry of the single executable (scripts/build-sea.ts bundles it into one CommonJS file, which
// cannot await at the top level): the same program as packages/cli/bin/tlsbridge.ts.
import "@tlsbridge/runtime"; // first: V8 flags must be set before the heap fills
import cluster from "node:cluster";
import { runProgram } from "@tlsbridge/cli";

// In an executable, argv[1] is the executable again. A worker (`workers: N`) is started by node:cluster
// with the supervisor's argv[1] before its arguments: one more to skip.
void runProgram(process.argv.slice(cluster.isWorker ? 3 : 2));
