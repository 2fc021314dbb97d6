import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';

/** The end of the `--overwrite` help of the commands that write files. */
export const OVERWRITE_FILE_HELP = 'replace the output files if they exist already';

/** What `path` is, symbolic links followed (a folder reached through a link is a folder). */
async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The option's name as a problem field: `--out` gives `out`. */
function fieldOf(option: string): string {
  return option.replace(/^-+/, '');
}

/**
 * Checks, before a long run, that a command may write the files `paths` (the first one named
 * by `option`): each must not be a folder, its folder must not be a file, and an existing file
 * is replaced only with `overwrite`. An outside review found `train --out` replacing the
 * dataset's own ground-truth.jsonl, and a folder given as `--out` failing with a raw EISDIR at
 * the end of the run. Throws InvalidInputError (exit code 2) naming the option and the rule.
 */
export async function checkOutputFiles(
  option: string,
  paths: readonly string[],
  overwrite: boolean,
): Promise<void> {
  const field = fieldOf(option);
  for (const path of paths) {
    const parent = await statOf(dirname(path));
    if (parent !== undefined && !parent.isDirectory()) {
      throw new InvalidInputError(
        `${option}: ${dirname(path)} is a file, so ${path} cannot be written in it; give a path in a folder, such as ./out/<name>`,
        [{ field, rule: 'must be in a folder (or in one the command can create)' }],
      );
    }
    const entry = await statOf(path);
    if (entry === undefined) continue;
    if (entry.isDirectory()) {
      throw new InvalidInputError(
        `${option}: ${path} is a folder; give the path of a file in it, such as ${join(path, 'output.json')}`,
        [{ field, rule: 'must name a file, not a folder' }],
      );
    }
    if (!overwrite) {
      throw new InvalidInputError(
        `${option}: ${path} already exists; pass --overwrite to replace it, or give another path`,
        [{ field, rule: 'must not exist yet (or pass --overwrite)' }],
      );
    }
  }
}

/**
 * Checks, before a long run, that a command may write `files` into the folder `folder`
 * (named by `option`): it must not be a file, and files of those names in it are replaced only
 * with `overwrite`.
 */
export async function checkOutputFilesIn(
  option: string,
  folder: string,
  files: readonly string[],
  overwrite: boolean,
): Promise<void> {
  const entry = await statOf(folder);
  if (entry !== undefined && !entry.isDirectory()) {
    throw new InvalidInputError(
      `${option}: ${folder} is a file; give a folder (it is created when missing), such as ./out/<name>`,
      [{ field: fieldOf(option), rule: 'must be a folder, not a file' }],
    );
  }
  await checkOutputFiles(
    option,
    files.map((name) => join(folder, name)),
    overwrite,
  );
}
