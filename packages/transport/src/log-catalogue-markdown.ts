// The tables of docs/log-events.md, rendered from the log catalogue (log-catalogue.ts) by
// scripts/docs-tables.ts, so the document cannot drift from what the code may write.
import { COMMON_LOG_FIELDS, LOG_CATALOGUE } from "./log-catalogue.ts";
import type { LogFieldSpec, LogFieldType } from "./log-catalogue.ts";

const TYPE_NAMES: Readonly<Record<LogFieldType, string>> = {
  "string": "string", "number": "number", "boolean": "boolean", "string[]": "strings", "object": "object", "object[]": "objects",
  "error": "error", "number|null": "number or null", "string|null": "string or null", "string|false": "string or false",
};

/** A table cell: no line breaks, no bare `|`. */
function cell(text: string): string {
  return text.replaceAll("\n", " ").replaceAll("|", "\\|");
}

/** `` `name` `` (type, always, ingress): what it says. */
function fieldText(name: string, field: LogFieldSpec): string {
  const notes = [TYPE_NAMES[field.type]];
  if (field.required === true) notes.push("always");
  if (field.node !== undefined) notes.push(`${field.node} only`);
  if (field.bound === true) notes.push("from the logger's bindings");
  return `\`${name}\` (${notes.join(", ")}): ${field.about}`;
}

/** The table of fields any line may carry. */
export function commonLogFieldsMarkdown(): string {
  const lines = ["| field | type | meaning |", "|---|---|---|"];
  for (const [name, field] of Object.entries(COMMON_LOG_FIELDS) as Array<[string, LogFieldSpec]>) {
    lines.push(`| \`${name}\` | ${TYPE_NAMES[field.type]}${field.required === true ? ", always" : ""} | ${cell(field.about)} |`);
  }
  return lines.join("\n");
}

/** The table of every event: node, levels, when it is written, its fields. */
export function logEventsMarkdown(): string {
  const lines = ["| event | node | level | when | fields |", "|---|---|---|---|---|"];
  for (const [name, spec] of Object.entries(LOG_CATALOGUE)) {
    const fields = Object.entries(spec.fields as Readonly<Record<string, LogFieldSpec>>).map(([field, about]) => fieldText(field, about));
    lines.push(`| \`${name}\` | ${spec.nodes} | ${spec.levels.join(" / ")} | ${cell(spec.when)} | ${cell(fields.join("; ")) || "none"} |`);
  }
  return lines.join("\n");
}
