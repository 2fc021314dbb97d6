import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, parse, relative, resolve, sep } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';
import { IMPORT_FILES } from '../import/import-sink';
import { BODS_FILES, DETECT_FILES, GENERATE_MANIFEST } from './seeder-output.files';

/** A file or folder a command reads, with the option that named it (for messages). */
export interface CommandInput {
  option: string;
  path: string;
}

/** An output folder a command is about to write, as its options give it. */
export interface OutputFolderRequest {
  /** The folder as the user wrote it (`--out`, or SEEDER_OUTPUT_DIR). */
  out: string;
  /** Whether an existing folder may be replaced (`--overwrite`). */
  overwrite: boolean;
  /** What the command reads; the output folder may not hold any of it. */
  inputs?: readonly CommandInput[];
}

/** The folders that may never be replaced besides the inputs; tests give their own. */
export interface ProtectedPlaces {
  cwd: string;
  home: string;
}

/** The rule `--overwrite` follows, for messages and `--help`. */
export const OVERWRITE_RULE =
  '--overwrite only replaces an empty folder or a folder the seeder wrote (recognised by the ' +
  'manifest.json of generate, the import-summary.json of import, the bods-import-summary.json of ' +
  'import bods or the alerts files of detect, with nothing else in it); never the current folder, ' +
  'a folder that holds an input of the command, your home folder or the root of the file system';

/** The end of each command's `--overwrite` help. */
export const OVERWRITE_HELP =
  '(only an empty folder or an earlier output of the seeder, never one that holds an input or the current folder)';

/** Entries named in a refusal; the rest are counted. */
const ENTRIES_SHOWN = 5;

/**
 * Checks, before anything is written, that the command may write `request.out`: a folder that
 * does not exist yet is always fine; an existing one needs `overwrite`, and is replaced only when
 * it is empty or holds nothing but an earlier output of the seeder, and holds none of the
 * command's inputs, the current folder or the home folder. Otherwise throws InvalidInputError
 * (exit code 2) naming the folder and the rule; nothing is deleted then.
 */
export async function checkOutputFolder(
  request: OutputFolderRequest,
  places: ProtectedPlaces = { cwd: process.cwd(), home: homedir() },
): Promise<void> {
  const target = resolve(request.out);
  const entry = await lstatOrUndefined(target);
  if (entry === undefined) return;
  const shown = request.out === target ? target : `${request.out} (${target})`;
  const problem = await whyNotReplaceable(request, target, entry, places);
  if (!request.overwrite) {
    throw new InvalidInputError(
      problem === undefined
        ? `The output folder ${request.out} already exists; pass --overwrite to replace it`
        : `The output folder ${shown} already exists, and --overwrite would not replace it either: ${problem}. Give a folder of its own, such as ./out/<name>`,
      [{ field: 'out', rule: 'must not exist yet (or pass --overwrite)' }],
    );
  }
  if (problem !== undefined) {
    throw new InvalidInputError(
      `--overwrite refused to replace the output folder ${shown}: ${problem}. Nothing was deleted.\n` +
        `${OVERWRITE_RULE}. Give a folder of its own, such as ./out/<name>`,
      [{ field: 'out', rule: OVERWRITE_RULE }],
    );
  }
}

/** Why `target` may not be replaced, or undefined when it may. */
async function whyNotReplaceable(
  request: OutputFolderRequest,
  target: string,
  entry: Stats,
  places: ProtectedPlaces,
): Promise<string | undefined> {
  const real = await realOrResolved(target);
  if (parse(real).root === real) return 'it is the root of the file system';
  const home = await realOrResolved(places.home);
  if (holds(real, home))
    return real === home ? 'it is your home folder' : 'it holds your home folder';
  const cwd = await realOrResolved(places.cwd);
  if (holds(real, cwd) || holds(target, resolve(places.cwd))) {
    return real === cwd
      ? 'it is the current folder'
      : `it holds the current folder (${places.cwd}), which replacing it would delete`;
  }
  for (const input of request.inputs ?? []) {
    if (holds(real, await realOrResolved(input.path)) || holds(target, resolve(input.path))) {
      return `it holds ${input.option} ${input.path}, which replacing it would delete`;
    }
  }
  if (entry.isSymbolicLink()) return 'it is a symbolic link; give the folder itself';
  if (!entry.isDirectory()) return 'it is a file, not a folder';
  const foreign = await foreignEntries(target);
  if (foreign.length === 0) return undefined;
  const named = foreign.slice(0, ENTRIES_SHOWN).join(', ');
  const more = foreign.length > ENTRIES_SHOWN ? ` and ${foreign.length - ENTRIES_SHOWN} more` : '';
  return `it holds ${named}${more}, which the seeder did not write there`;
}

/**
 * The entries of `folder` that are not part of an earlier seeder output: every entry when no
 * marker file is there, the entries no marker accounts for otherwise. Empty for an empty folder.
 */
async function foreignEntries(folder: string): Promise<string[]> {
  const entries: Dirent[] = await readdir(folder, { withFileTypes: true });
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  const known = new Set<string>();
  const addAll = (names: readonly string[]): void => names.forEach((name) => known.add(name));
  if (files.has(GENERATE_MANIFEST)) addAll(await manifestFiles(folder));
  if (files.has(IMPORT_FILES.summary)) addAll(Object.values(IMPORT_FILES));
  if (files.has(BODS_FILES.summary)) addAll(Object.values(BODS_FILES));
  const detect: readonly string[] = Object.values(DETECT_FILES);
  if (detect.every((name) => files.has(name))) addAll(detect);
  return entries
    .filter((e) => !(e.isFile() && known.has(e.name)))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
}

/** The files a `seeder generate` manifest lists (with the manifest); none if it is not one. */
async function manifestFiles(folder: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(
      await readFile(resolve(folder, GENERATE_MANIFEST), 'utf8'),
    ) as unknown;
    if (typeof manifest !== 'object' || manifest === null || !('files' in manifest)) return [];
    const { files } = manifest;
    if (!Array.isArray(files)) return [];
    const names = files.filter((name): name is string => typeof name === 'string');
    return [GENERATE_MANIFEST, ...names];
  } catch {
    return [];
  }
}

/** Whether `path` is `folder` itself or somewhere inside it. */
function holds(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error: unknown) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'ENOENT' || error.code === 'ENOTDIR')
  );
}
