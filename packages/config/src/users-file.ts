// A proxy users file (`auth: { users: FILE }` on an ingress listener): one `user:hash` per line, the
// hash made by `tlsbridge auth hash` or `auth add`; `#` comments and blank lines are skipped. Every
// bad line is a problem at its file:line:column; the hash text itself never appears in a message.
import { parsePasswordHash } from "@tlsbridge/ingress";
import type { PasswordHash } from "@tlsbridge/ingress";
import type { ConfigProblem } from "@tlsbridge/rules";

/** What a user name may be: no colon (RFC 7617 §2), no whitespace or control characters. */
export const USER_NAME = /^[^\s:\p{Cc}]{1,128}$/u;

/** Parses a users file's text; problems are appended, good lines kept (so every problem is found). */
export function parseUsersText(text: string, file: string, problems: ConfigProblem[]): Map<string, PasswordHash> {
  const users = new Map<string, PasswordHash>();
  const firstLine = new Map<string, number>();
  const at = (line: number, column: number, message: string): void => void problems.push({ file, line, column, message });
  for (const [index, raw] of text.split("\n").entries()) {
    const line = index + 1;
    const content = raw.replace(/[ \t\r]+$/, "");
    const trimmed = content.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const indent = content.length - trimmed.length;
    const colon = trimmed.indexOf(":");
    if (colon < 0) {
      at(line, indent + 1, "expected `user:hash` (make a line with `tlsbridge auth add FILE USER`)");
      continue;
    }
    const user = trimmed.slice(0, colon);
    if (!USER_NAME.test(user)) {
      at(line, indent + 1, `expected a user name (no ':', whitespace or control characters; up to 128), got ${JSON.stringify(user)}`);
      continue;
    }
    const parsed = parsePasswordHash(trimmed.slice(colon + 1));
    if (typeof parsed === "string") {
      at(line, indent + colon + 2, `user ${user}: ${parsed}`);
      continue;
    }
    const first = firstLine.get(user);
    if (first !== undefined) {
      at(line, indent + 1, `duplicate user ${user} (already at line ${first})`);
      continue;
    }
    firstLine.set(user, line);
    users.set(user, parsed);
  }
  return users;
}
