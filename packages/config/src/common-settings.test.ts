// Regression: `keyExchangeGroups` was checked only for its syntax (names and colons), so a group
// OpenSSL does not know (a typo such as `X25519MLKEM678`) passed `tlsbridge check` and the loader,
// and the node then failed at start with "could not start: Failed to set ECDH curve" (exit 1, no
// file:line:column). The groups are now tried on a TLS context when the config is loaded.
import { describe, expect, it } from "vitest";
import { expectMap, formatProblem, parseYamlText } from "@tlsbridge/rules";
import type { ConfigProblem } from "@tlsbridge/rules";
import { parseCommonSettings } from "./common-settings.ts";

function settings(text: string): { groups: string; problems: string[] } {
  const source = parseYamlText(text, "peer.yaml");
  const problems: ConfigProblem[] = [];
  const top = expectMap(source.doc.contents, source, problems, ["node", "keyExchangeGroups"]);
  if (top === undefined) throw new Error("not a mapping");
  const parsed = parseCommonSettings(top, "peer", source, problems);
  return { groups: parsed.keyExchangeGroups, problems: problems.map(formatProblem) };
}

describe("keyExchangeGroups", () => {
  it("accepts groups OpenSSL knows", () => {
    expect(settings("keyExchangeGroups: X25519MLKEM768:X25519\n")).toEqual({ groups: "X25519MLKEM768:X25519", problems: [] });
    // `*` marks the groups whose key share goes in the first ClientHello (the default marks both).
    expect(settings("keyExchangeGroups: '*X25519MLKEM768:*X25519'\n")).toEqual({ groups: "*X25519MLKEM768:*X25519", problems: [] });
    expect(settings("keyExchangeGroups: P-256\n").problems).toEqual([]);
  });

  it("refuses an unknown group at its line and column instead of failing at start", () => {
    const { problems } = settings("node: edge\nkeyExchangeGroups: X25519MLKEM678:X25519\n");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^peer\.yaml:2:20: .*X25519MLKEM678:X25519/);
  });
});
