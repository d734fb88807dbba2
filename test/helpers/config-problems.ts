// What a config loader refused, as `line:column: message` strings, for the config tests that assert
// every problem sits where the operator wrote it.
import { expect } from "vitest";
import { loadIngressConfig } from "@tlsbridge/config";
import { ConfigError } from "@tlsbridge/rules";

/** Loads the ingress config at `path`, expects a ConfigError, and returns its problems as `line:column: message`. */
export async function ingressConfigProblems(path: string): Promise<string[]> {
  const err = await loadIngressConfig(path).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
}
