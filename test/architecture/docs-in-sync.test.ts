// Docs that describe code are checked against it: the errors table in docs/errors.md is generated
// from the status table, and the field and event tables of docs/log-events.md from the log
// catalogue; every log line is written through the typed logEvent(), so none escapes the catalogue;
// docs/operations.md lists the metrics of the metric table.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderErrorsDoc, renderLogEventsDoc } from "../../scripts/docs-tables.ts";
import { NODE_METRICS, TUNNEL_METRICS } from "../../packages/runtime/src/metric-table.ts";

const DOCS = join(import.meta.dirname, "..", "..", "docs");

describe("docs in sync with code", () => {
  it("docs/errors.md holds the current status table", () => {
    const current = readFileSync(join(DOCS, "errors.md"), "utf8");
    expect(current).toBe(renderErrorsDoc(current));
  });

  it("docs/log-events.md holds the current tables of the log catalogue", () => {
    const current = readFileSync(join(DOCS, "log-events.md"), "utf8");
    expect(current).toBe(renderLogEventsDoc(current));
  });

  it("docs/operations.md lists exactly the tlsbridge_* metrics, each with the type and labels it has", () => {
    const doc = readFileSync(join(DOCS, "operations.md"), "utf8");
    // A row: | `name` | type | `label` (`value`, ...), `label` | what it counts |; values in brackets are not labels.
    const documented = [...doc.matchAll(/^\| `(tlsbridge_[a-z_]+)` \| ([a-z]+) \|([^|]*)\|/gm)].map(([, name, kind, labels = ""]) =>
      `${name} ${kind} [${[...labels.replace(/\([^)]*\)/g, "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).join(" ")}]`);
    const rows = [...Object.values(TUNNEL_METRICS), ...Object.values(NODE_METRICS)];
    expect(documented.sort()).toEqual(rows.map((r) => `${r.name} ${r.kind} [${r.labels.join(" ")}]`).sort());
  });

  it("code writes log lines through logEvent(), never a pino call with its own fields the catalogue cannot check", () => {
    const untyped: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && entry.name !== "log-event.ts") {
          const text = readFileSync(path, "utf8");
          for (const m of text.matchAll(/\{\s*event[:,]|\.(?:trace|debug|info|warn|error|fatal)\(\s*\{/g)) untyped.push(`${path}: ${m[0]}`);
        }
      }
    };
    for (const pkg of ["wire", "rules", "transport", "ingress", "peer", "config", "runtime", "cli"]) walk(join(DOCS, "..", "packages", pkg, "src"));
    expect(untyped).toEqual([]);
  });
});
