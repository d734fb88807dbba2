// A ConfigMap, Secret or projected volume as the kubelet writes it (its AtomicWriter): the files live
// in a timestamped folder `..<time>`, a symlink `..data` points at it, and each top-level name is a
// symlink through `..data`. An update writes a new timestamped folder, points a new symlink
// `..data_tmp` at it, renames that over `..data` (the atomic step), then removes the old folder.
import { mkdir, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Writes `files` (relative path -> content) into the volume at `dir`: the first call lays it out, later ones swap. */
export async function writeAtomicVolume(dir: string, files: Readonly<Record<string, string>>, stamp: string): Promise<void> {
  const version = `..${stamp}`;
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, version, path)), { recursive: true });
    await writeFile(join(dir, version, path), text);
  }
  const previous = await readlink(join(dir, "..data")).catch(() => undefined);
  await symlink(version, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  if (previous === undefined) {
    const topLevel = new Set(Object.keys(files).map((path) => path.split("/")[0] ?? path));
    for (const name of topLevel) await symlink(join("..data", name), join(dir, name));
  } else {
    await rm(join(dir, previous), { recursive: true, force: true });
  }
}
