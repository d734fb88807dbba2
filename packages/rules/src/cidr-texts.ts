// Reads a YAML list's items as CIDR blocks, each bad item a problem at its own position: shared by
// a listener's `clients:` and an allow entry's `addresses:`, which word their messages differently.
import type { CidrFault } from "./cidr.ts";
import { isCidrFault, readCidr } from "./cidr.ts";
import type { ConfigProblem } from "./config-error.ts";
import { addProblem } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { expectString, resolveNode } from "./yaml-validate.ts";

/** The items as written, or undefined when one is not a non-empty string naming a block. */
export function readCidrTexts(
  items: readonly unknown[],
  source: YamlSource,
  problems: ConfigProblem[],
  describe: (text: string, fault: CidrFault) => string,
): string[] | undefined {
  const texts: string[] = [];
  let ok = true;
  for (const item of items) {
    const at = resolveNode(item, source);
    const text = expectString(at, source, problems, { nonEmpty: true });
    const cidr = text === undefined ? undefined : readCidr(text);
    if (text !== undefined && cidr !== undefined && isCidrFault(cidr)) addProblem(at, source, problems, describe(text, cidr));
    if (text === undefined || cidr === undefined || isCidrFault(cidr)) ok = false;
    else texts.push(text);
  }
  return ok ? texts : undefined;
}
