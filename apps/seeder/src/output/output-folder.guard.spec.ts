import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';
import { writeAtomically } from './atomic-output-dir';
import { checkOutputFolder, type ProtectedPlaces } from './output-folder.guard';

describe('output folders: what --overwrite may replace', () => {
  let work: string;
  /** The current and home folders the guard protects: test folders, never the real ones. */
  let places: ProtectedPlaces;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-output-guard-spec-'));
    places = { cwd: join(work, 'project', 'cwd'), home: join(work, 'home') };
    mkdirSync(places.cwd, { recursive: true });
    mkdirSync(places.home);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function folder(name: string, files: Record<string, string>): string {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  }

  async function refusal(
    out: string,
    inputs: { option: string; path: string }[] = [],
    overwrite = true,
  ): Promise<string> {
    try {
      await checkOutputFolder({ out, overwrite, inputs }, places);
    } catch (error: unknown) {
      if (error instanceof InvalidInputError) return error.message;
      throw error;
    }
    throw new Error(`expected ${out} to be refused`);
  }

  const IMPORT_OUTPUT = {
    'vertices.jsonl': '',
    'edges.jsonl': '',
    'ground-truth.jsonl': '',
    'import-summary.json': '{}',
  };

  it('accepts a folder that does not exist, an empty folder and every kind of earlier seeder output', async () => {
    const accepted = [
      join(work, 'new'),
      folder('empty', {}),
      folder('import', IMPORT_OUTPUT),
      folder('import-graph', { 'ground-truth.jsonl': '', 'import-summary.json': '{}' }),
      folder('generate', {
        'persons.jsonl': '',
        'ground-truth.jsonl': '',
        'manifest.json': JSON.stringify({ files: ['ground-truth.jsonl', 'persons.jsonl'] }),
      }),
      folder('bods', {
        'vertices.jsonl': '',
        'edges.jsonl': '',
        'bods-import-summary.json': '{}',
      }),
      folder('detect', { 'alerts.jsonl': '', 'alerts.md': '', 'alerts.csv': '' }),
    ];
    for (const out of accepted) {
      await expect(checkOutputFolder({ out, overwrite: true }, places)).resolves.toBeUndefined();
    }
  });

  it('refuses a folder that holds an input of the command, or is it', async () => {
    const out = folder('t1', { 'keep.txt': 'x' });
    const data = folder('t1/data', { 'transactions.csv': 'a,b\n' });
    expect(await refusal(out, [{ option: '--dir', path: data }])).toContain(
      `--overwrite refused to replace the output folder ${out}: it holds --dir ${data}, which replacing it would delete. Nothing was deleted.`,
    );
    const bods = folder('t3', { 'bods-import-summary.json': '{}' });
    writeFileSync(join(bods, 'package.json'), '[]');
    expect(await refusal(bods, [{ option: '--file', path: join(bods, 'package.json') }])).toContain(
      'it holds --file',
    );
    // Even an earlier output is not replaced when it is the input itself (detect --dataset d --out d).
    const dataset = folder('dataset', IMPORT_OUTPUT);
    expect(await refusal(dataset, [{ option: '--dataset', path: dataset }])).toContain(
      'it holds --dataset',
    );
  });

  it('refuses the current folder, a folder that holds it, and the home folder', async () => {
    expect(await refusal(places.cwd)).toContain('it is the current folder');
    expect(await refusal(join(work, 'project'))).toContain(
      `it holds the current folder (${places.cwd})`,
    );
    expect(await refusal(work)).toContain('it holds your home folder');
    expect(await refusal(places.home)).toContain('it is your home folder');
  });

  it('refuses a folder with anything the seeder did not write, naming the first entries', async () => {
    const mixed = folder('mixed', { ...IMPORT_OUTPUT, 'notes.txt': 'mine' });
    mkdirSync(join(mixed, 'sub'));
    const message = await refusal(mixed);
    expect(message).toContain('it holds notes.txt, sub/, which the seeder did not write there');
    expect(message).toContain('--overwrite only replaces an empty folder or a folder the seeder');
    const many = folder('many', { a: '', b: '', c: '', d: '', e: '', f: '', g: '' });
    expect(await refusal(many)).toContain('it holds a, b, c, d, e and 2 more');
    // A manifest.json that is not the generator's does not make a folder a seeder output.
    const foreign = folder('foreign', { 'manifest.json': '{"name":"my app"}', 'index.js': '' });
    expect(await refusal(foreign)).toContain('it holds index.js, manifest.json');
  });

  it('refuses a symbolic link and a file', async () => {
    const target = folder('target', {});
    symlinkSync(target, join(work, 'link'));
    expect(await refusal(join(work, 'link'))).toContain('it is a symbolic link');
    writeFileSync(join(work, 'file.txt'), 'x');
    expect(await refusal(join(work, 'file.txt'))).toContain('it is a file, not a folder');
  });

  it('without --overwrite says whether --overwrite would help', async () => {
    const earlier = folder('earlier', IMPORT_OUTPUT);
    expect(await refusal(earlier, [], false)).toBe(
      `The output folder ${earlier} already exists; pass --overwrite to replace it`,
    );
    const own = folder('own', { 'keep.txt': 'x' });
    expect(await refusal(own, [], false)).toContain(
      'already exists, and --overwrite would not replace it either: it holds keep.txt',
    );
  });

  it('writeAtomically replaces an earlier output only once the new one is complete, and refuses the rest untouched', async () => {
    const out = folder('out', IMPORT_OUTPUT);
    await writeAtomically({ out, overwrite: true }, async (dir) => {
      writeFileSync(join(dir, 'import-summary.json'), '{"new":true}');
      return Promise.resolve();
    });
    expect(readFileSync(join(out, 'import-summary.json'), 'utf8')).toBe('{"new":true}');
    expect(readdirSync(work).filter((name) => name.includes('.partial-'))).toEqual([]);

    const t1 = folder('t1', { 'keep.txt': 'x' });
    const data = folder('t1/data', { 'transactions.csv': 'a,b\n' });
    let ran = false;
    await expect(
      writeAtomically(
        { out: t1, overwrite: true, inputs: [{ option: '--dir', path: data }] },
        () => {
          ran = true;
          return Promise.resolve();
        },
      ),
    ).rejects.toThrow('it holds --dir');
    expect(ran).toBe(false);
    expect(readdirSync(t1).sort()).toEqual(['data', 'keep.txt']);
    expect(existsSync(join(data, 'transactions.csv'))).toBe(true);
  });
});
