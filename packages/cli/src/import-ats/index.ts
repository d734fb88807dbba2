// Entry of the cli's `rules import-ats` command: migrates an Apache Traffic Server tls_bridge
// configuration to a tlsbridge rule file (command.ts; parse.ts reads ATS, yaml.ts writes ours).
export { runRules } from "./command.ts";
