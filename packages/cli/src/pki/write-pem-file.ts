// Writes one PEM file so that a key is never readable by others, not even for a moment, and an
// existing file is replaced only when asked: write a private temp file, then link or rename it.
import { randomBytes } from "node:crypto";
import { constants, copyFile, link, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `text` to `path` with `mode`. With `overwrite` false the final step is `link`, which fails
 * with EEXIST rather than replace a file that appeared since the caller checked; with `overwrite`
 * true it is `rename`, which replaces atomically (the old file's mode goes with it).
 */
export async function writePemFile(path: string, text: string, mode: number, overwrite: boolean): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temp, text, { mode, flag: "wx" });
  try {
    if (overwrite) {
      await rename(temp, path);
    } else {
      await link(temp, path).catch(async (err: NodeJS.ErrnoException) => {
        // Some file systems (SMB, some FUSE mounts) have no hard links; an exclusive copy keeps
        // the no-overwrite guarantee and copies the mode.
        if (err.code === "EEXIST") throw err;
        await copyFile(temp, path, constants.COPYFILE_EXCL);
      });
    }
  } finally {
    await rm(temp, { force: true });
  }
}
