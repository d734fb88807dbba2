// The package arrows of ARCHITECTURE.md, enforced: cli → runtime → config → (ingress, peer) →
// (transport, wire, rules). config builds the options the roles start with, so it sees their option
// types (and the ingress's password-hash parser for users files, transport's default key exchange).
// ingress and peer never import each other; wire, rules and transport import nothing of ours;
// nothing imports cli, runtime never imports the commands (they live in cli);
// bench may import anything and nothing imports bench. Imports go through a package's entry only.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const PACKAGES = join(ROOT, "packages");

const ALLOWED: Record<string, readonly string[]> = {
  wire: [],
  rules: [],
  transport: [],
  ingress: ["transport", "wire", "rules"],
  peer: ["transport", "wire", "rules"],
  config: ["ingress", "peer", "transport", "wire", "rules"],
  runtime: ["config", "ingress", "peer", "transport", "wire", "rules"],
  cli: ["runtime", "config", "ingress", "peer", "transport", "wire", "rules"],
  bench: ["cli", "runtime", "config", "ingress", "peer", "transport", "wire", "rules"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every arrow that breaks the rules, as `file: what`. */
function violations(): string[] {
  const found: string[] = [];
  for (const pkg of readdirSync(PACKAGES)) {
    const allowed = ALLOWED[pkg];
    if (allowed === undefined) {
      found.push(`packages/${pkg}: not a package of ARCHITECTURE.md`);
      continue;
    }
    for (const file of sourceFiles(join(PACKAGES, pkg))) {
      const where = relative(ROOT, file);
      for (const spec of importsOf(file)) {
        const ours = /^@tlsbridge\/([^/]+)(\/.*)?$/.exec(spec);
        if (ours !== null) {
          const [, target = "", deep] = ours;
          if (deep !== undefined) found.push(`${where}: deep import ${spec} (use the package entry)`);
          if (target !== pkg && !allowed.includes(target)) found.push(`${where}: ${pkg} → ${target} is against the arrows`);
        } else if (spec.startsWith(".")) {
          const resolved = relative(join(PACKAGES, pkg), join(file, "..", spec));
          if (resolved.startsWith("..")) found.push(`${where}: relative import ${spec} leaves package ${pkg}`);
        }
      }
    }
  }
  return found;
}

describe("package dependency arrows", () => {
  it("every import follows ARCHITECTURE.md", () => {
    expect(violations()).toEqual([]);
  });

  it("the check sees imports (it would catch a wrong arrow)", () => {
    // Guard against a regex that silently matches nothing: the ingress does import transport.
    const ingressImports = sourceFiles(join(PACKAGES, "ingress", "src")).flatMap(importsOf);
    expect(ingressImports).toContain("@tlsbridge/transport");
    expect(ingressImports).toContain("@tlsbridge/wire");
  });
});
