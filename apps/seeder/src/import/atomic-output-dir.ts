import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';

/**
 * Runs `work` against a fresh temporary folder next to `outDir` and, only when it succeeds,
 * renames that folder to `outDir` (a rename within one file system is atomic). On failure the
 * temporary folder is removed, so a failed run never leaves a half-written `outDir` behind.
 *
 * An existing `outDir` is refused unless `overwrite` is set; it is then replaced only after the
 * new output is complete.
 */
export async function writeAtomically<T>(
  outDir: string,
  overwrite: boolean,
  work: (tempDir: string) => Promise<T>,
): Promise<T> {
  const target = resolve(outDir);
  if (existsSync(target) && !overwrite) {
    throw new InvalidInputError(
      `The output folder ${outDir} already exists; pass --overwrite to replace it`,
      [{ field: 'out', rule: 'must not exist yet (or pass --overwrite)' }],
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  let result: T;
  try {
    result = await work(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  if (existsSync(target)) {
    const old = `${temp}.replaced`;
    await rename(target, old);
    await rename(temp, target);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(temp, target);
  }
  return result;
}
