// @tlsbridge/cli: the `tlsbridge` program (main: commands and argument parsing) and the PKI helpers
// that `pki init`, the demo and tests use. The only entry of this package.
export { main } from "./main.ts";
export { runProgram } from "./run-program.ts";
export * from "./pki/index.ts";
