// The baselines need socat, stunnel and squid (built with OpenSSL). As root on Debian we install
// what is missing with apt-get; otherwise we say exactly which command would.

import { execFileSync, spawnSync } from "node:child_process";

/** Debian package for each program a baseline runs. */
export const DEBIAN_PACKAGES = { socat: "socat", stunnel4: "stunnel4", squid: "squid-openssl" } as const;

/** Absolute path of `program` on PATH (also /usr/sbin), or undefined. */
export function which(program: string): string | undefined {
  const path = `${process.env.PATH ?? ""}:/usr/sbin:/sbin:/usr/local/sbin`;
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    const r = spawnSync("test", ["-x", `${dir}/${program}`]);
    if (r.status === 0) return `${dir}/${program}`;
  }
  return undefined;
}

/** True when `squid -v` shows a build with OpenSSL (Debian's squid-openssl; plain `squid` has GnuTLS). */
export function squidHasOpenssl(squid: string): boolean {
  try {
    return execFileSync(squid, ["-v"], { encoding: "utf8" }).includes("--with-openssl");
  } catch {
    return false;
  }
}

/** The apt-get command that installs the given packages. */
export function installCommand(packages: readonly string[]): string {
  return `apt-get update && apt-get install -y ${packages.join(" ")}`;
}

/**
 * Installs missing Debian packages when we are root and on Debian; returns a message for what
 * could not be installed (the systems that need it are then skipped).
 */
export function ensurePackages(packages: readonly string[], log: (line: string) => void): string | undefined {
  if (packages.length === 0) return undefined;
  const isRoot = process.getuid?.() === 0;
  const hasApt = which("apt-get") !== undefined;
  if (!isRoot || !hasApt) {
    return `missing ${packages.join(", ")}; install with: sudo ${installCommand(packages)}`;
  }
  log(`installing ${packages.join(" ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env, timeout: 300_000 });
  const install = spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "inherit", env, timeout: 600_000 });
  if (update.status !== 0 || install.status !== 0) {
    return `apt-get could not install ${packages.join(", ")}; try: ${installCommand(packages)}`;
  }
  return undefined;
}
