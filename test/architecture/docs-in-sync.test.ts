// Docs that describe code are checked against it: the errors table in docs/errors.md is generated
// from the status table, every log event name is documented in docs/log-events.md (and the doc
// names no event that does not exist), and docs/operations.md lists the metrics of the metric table.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOG_EVENTS } from "@tlsbridge/transport";
import { renderErrorsDoc } from "../../scripts/docs-tables.ts";
import { NODE_METRICS, TUNNEL_METRICS } from "../../packages/runtime/src/metric-table.ts";

const DOCS = join(import.meta.dirname, "..", "..", "docs");

describe("docs in sync with code", () => {
  it("docs/errors.md holds the current status table", () => {
    const current = readFileSync(join(DOCS, "errors.md"), "utf8");
    expect(current).toBe(renderErrorsDoc(current));
  });

  it("docs/log-events.md documents exactly the events in LOG_EVENTS", () => {
    const doc = readFileSync(join(DOCS, "log-events.md"), "utf8");
    const documented = [...doc.matchAll(/^\| `([a-z0-9.]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.values(LOG_EVENTS).sort());
  });

  it("docs/operations.md lists exactly the tlsbridge_* metrics, each with the type and labels it has", () => {
    const doc = readFileSync(join(DOCS, "operations.md"), "utf8");
    // A row: | `name` | type | `label` (`value`, ...), `label` | what it counts |; values in brackets are not labels.
    const documented = [...doc.matchAll(/^\| `(tlsbridge_[a-z_]+)` \| ([a-z]+) \|([^|]*)\|/gm)].map(([, name, kind, labels = ""]) =>
      `${name} ${kind} [${[...labels.replace(/\([^)]*\)/g, "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).join(" ")}]`);
    const rows = [...Object.values(TUNNEL_METRICS), ...Object.values(NODE_METRICS)];
    expect(documented.sort()).toEqual(rows.map((r) => `${r.name} ${r.kind} [${r.labels.join(" ")}]`).sort());
  });

  it("code names events through LOG_EVENTS, never as string literals the doc check cannot see", () => {
    const literals: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
          for (const m of readFileSync(path, "utf8").matchAll(/\bevent: ["'`]([^"'`]+)/g)) literals.push(`${path}: ${m[1]}`);
        }
      }
    };
    for (const pkg of ["wire", "rules", "transport", "ingress", "peer", "cli"]) walk(join(DOCS, "..", "packages", pkg, "src"));
    expect(literals).toEqual([]);
  });
});
