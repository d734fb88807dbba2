// Docs that describe code are checked against it: the errors table in docs/errors.md is generated
// from the status table, and every log event name is documented in docs/log-events.md (and the
// doc names no event that does not exist).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOG_EVENTS } from "@tlsbridge/transport";
import { renderErrorsDoc } from "../../scripts/docs-tables.ts";

const DOCS = join(import.meta.dirname, "..", "..", "docs");

describe("docs in sync with code", () => {
  it("docs/errors.md holds the current status table", () => {
    const current = readFileSync(join(DOCS, "errors.md"), "utf8");
    expect(current).toBe(renderErrorsDoc(current));
  });

  it("docs/log-events.md documents exactly the events in LOG_EVENTS", () => {
    const doc = readFileSync(join(DOCS, "log-events.md"), "utf8");
    const documented = [...doc.matchAll(/^\| `([a-z.]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.values(LOG_EVENTS).sort());
  });
});
