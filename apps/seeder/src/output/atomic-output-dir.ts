import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkOutputFolder, type OutputFolderRequest } from './output-folder.guard';

/**
 * Runs `work` against a fresh temporary folder next to `request.out` and, only when it
 * succeeds, renames that folder to `request.out` (a rename within one file system is atomic).
 * On failure the temporary folder is removed, so a failed run never leaves a half-written
 * output folder behind.
 *
 * An existing output folder is refused unless `request.overwrite` is set, and even then unless
 * it is empty or an earlier output of the seeder that holds none of `request.inputs` (see
 * `checkOutputFolder`). It is checked before `work` starts and again just before the swap, and
 * replaced only after the new output is complete.
 */
export async function writeAtomically<T>(
  request: OutputFolderRequest,
  work: (tempDir: string) => Promise<T>,
): Promise<T> {
  await checkOutputFolder(request);
  const target = resolve(request.out);
  await mkdir(dirname(target), { recursive: true });
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  let result: T;
  try {
    result = await work(temp);
    // The folder may have changed while `work` ran (a long import); check it again.
    await checkOutputFolder(request);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  if (existsSync(target)) {
    const old = `${temp}.replaced`;
    await rename(target, old);
    try {
      await rename(temp, target);
    } catch (error) {
      await rename(old, target);
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(temp, target);
  }
  return result;
}
