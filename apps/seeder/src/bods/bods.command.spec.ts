import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { MemoryGraphStore } from '@app/graph-store';
import { StructureBuilder, UboService } from '@app/ubo';
import { FixedClock } from '@app/vocabulary';
import { type BodsCommandDeps, MAX_BODS_FILE_BYTES, registerBodsCommands } from './bods.command';

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

type Json = Record<string, unknown>;

function statement(
  recordType: string,
  recordId: string,
  recordDetails: Json,
  date = '2024-01-15',
  status = 'new',
): Json {
  return {
    statementId: `seeder-bods-test-${recordId}-${date}`.padEnd(32, '0'),
    declarationSubject: 't',
    statementDate: date,
    recordId,
    recordStatus: status,
    recordType,
    recordDetails,
  };
}

const PACKAGE: Json[] = [
  statement('entity', 't', {
    isComponent: false,
    entityType: { type: 'registeredEntity' },
    name: 'T Ltd',
    jurisdiction: { name: 'GB', code: 'GB' },
  }),
  statement('person', 'p', {
    isComponent: false,
    personType: 'knownPerson',
    names: [{ fullName: 'Pat' }],
  }),
  statement('relationship', 'r', {
    isComponent: false,
    subject: 't',
    interestedParty: 'p',
    interests: [{ type: 'shareholding', directOrIndirect: 'direct', share: { exact: 30 } }],
  }),
  statement(
    'relationship',
    'r',
    {
      isComponent: false,
      subject: 't',
      interestedParty: 'p',
      interests: [{ type: 'shareholding', directOrIndirect: 'direct', share: { exact: 70 } }],
    },
    '2024-06-01',
    'updated',
  ),
];

describe('seeder import bods', () => {
  let dir: string;
  let lines: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bods-command-'));
    lines = [];
    await writeFile(join(dir, 'package.json'), JSON.stringify(PACKAGE));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function program(store?: MemoryGraphStore, extra: Partial<BodsCommandDeps> = {}): Command {
    const root = new Command('seeder').exitOverride();
    root.configureOutput({
      writeErr: (text) => lines.push(`stderr: ${text.trim()}`),
      writeOut: () => undefined,
    });
    const command = registerBodsCommands(root, {
      print: (line) => lines.push(line),
      ...(store ? { graphStore: () => Promise.resolve(store) } : {}),
      ...extra,
    });
    command.exitOverride();
    return root;
  }

  /** Runs `seeder import bods <args>`. */
  function bods(args: string[], extra: Partial<BodsCommandDeps> = {}): Promise<Command> {
    return program(undefined, extra).parseAsync(['node', 'seeder', 'import', 'bods', ...args]);
  }

  const stderr = (): string[] =>
    lines.filter((line) => line.startsWith('stderr: ')).map((line) => line.slice(8));
  const stdout = (): string[] => lines.filter((line) => !line.startsWith('stderr: '));

  it('--sink graph upserts the latest state of each record into the store, idempotently', async () => {
    const store = new MemoryGraphStore();
    await program(store).parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'package.json'),
      '--sink',
      'graph',
    ]);
    const edge = await store.getEdge('rel:bods:r#shareholding');
    expect(edge?.props).toMatchObject({ shareMinBp: 7000, shareMaxBp: 7000 });
    expect((await store.getVertex('company:bods:t'))?.props).toMatchObject({
      name: 'T Ltd',
      jurisdiction: 'GB',
    });
    expect(lines[0]).toContain(
      '4 statements, 3 records (1 replaced by later statements, 0 closed)',
    );
    expect(lines).toContain('  graph: 3 created, 0 updated, 0 unchanged');
    lines = [];
    await program(store).parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'package.json'),
      '--sink',
      'graph',
    ]);
    expect(lines).toContain('  graph: 0 created, 0 updated, 3 unchanged');
  });

  it('--as-of reads the package as it stood on that date', async () => {
    const store = new MemoryGraphStore();
    await program(store).parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'package.json'),
      '--sink',
      'graph',
      '--as-of',
      '2024-03-01',
    ]);
    expect((await store.getEdge('rel:bods:r#shareholding'))?.props).toMatchObject({
      shareMinBp: 3000,
    });
  });

  it('--sink jsonl --out writes vertices, edges and a summary', async () => {
    const out = join(dir, 'out');
    await program().parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'package.json'),
      '--out',
      out,
    ]);
    const vertices = (await readFile(join(out, 'vertices.jsonl'), 'utf8')).trim().split('\n');
    const edges = (await readFile(join(out, 'edges.jsonl'), 'utf8')).trim().split('\n');
    expect(vertices).toHaveLength(2);
    expect((JSON.parse(edges[0]) as Json).eid).toBe('rel:bods:r#shareholding');
    const summary = JSON.parse(
      await readFile(join(out, 'bods-import-summary.json'), 'utf8'),
    ) as Json;
    expect(summary).toMatchObject({ vertices: 2, edges: 1, stats: { records: 3, replaced: 1 } });
  });

  it('--sink jsonl without --out prints JSON lines only', async () => {
    await program().parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'package.json'),
    ]);
    expect(lines.map((line) => (JSON.parse(line) as Json).kind)).toEqual([
      'vertex',
      'vertex',
      'edge',
    ]);
  });

  it('joins an existing import command instead of adding a second one', () => {
    const root = new Command('seeder');
    root.command('import').command('amlworld');
    registerBodsCommands(root);
    expect(root.commands.filter((c) => c.name() === 'import')).toHaveLength(1);
    expect(root.commands[0].commands.map((c) => c.name())).toEqual(['amlworld', 'bods']);
  });

  it('exits with code 2 and names the problem for bad files and invalid statements', async () => {
    await writeFile(join(dir, 'broken.json'), '{ not json');
    const broken = program().parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'broken.json'),
    ]);
    await expect(broken).rejects.toMatchObject({
      exitCode: 2,
      code: 'seeder.import.bods.invalid_input',
    });
    expect(lines.join('\n')).toContain('is not valid JSON');

    await writeFile(
      join(dir, 'invalid.json'),
      JSON.stringify([...PACKAGE, { recordId: 'x', recordType: 'company' }]),
    );
    const strict = program().parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'invalid.json'),
      '--strict',
    ]);
    await expect(strict).rejects.toMatchObject({ exitCode: 2 });
    expect(lines.join('\n')).toContain(
      'statements[4].recordType must be one of entity, person, relationship',
    );

    const noStore = program().parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'package.json'),
      '--sink',
      'graph',
    ]);
    await expect(noStore).rejects.toMatchObject({ exitCode: 2 });
  });

  it('refuses two statements with the same statementId, even without --strict', async () => {
    await writeFile(join(dir, 'twice.json'), JSON.stringify([...PACKAGE, PACKAGE[1]]));
    const twice = program().parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'twice.json'),
    ]);
    await expect(twice).rejects.toMatchObject({ exitCode: 2 });
    expect(lines.join('\n')).toContain(
      `"${String(PACKAGE[1].statementId)}" (statements[1] and statements[4])`,
    );
  });

  it('an exported answer loaded into the graph answers the same (summaries are not stored twice)', async () => {
    const b = new StructureBuilder('exp');
    const [t, m, g] = [b.company('t'), b.company('m'), b.company('g')];
    b.owns(b.person('quin'), t, 1000);
    b.controls(m, t, 'seniorManagingOfficial');
    b.owns(b.person('rob'), m, 6000);
    b.controls(b.person('ivy'), g, 'appointmentOfBoard');
    b.controls(g, t, 'otherInfluenceOrControl');
    const source = new MemoryGraphStore();
    const graph = b.build();
    await source.upsertVertices(graph.vertices);
    await source.upsertEdges(graph.edges);
    const clock = new FixedClock(Date.UTC(2025, 5, 1));
    const before = await new UboService(source, SETTINGS, undefined, clock).forCompany(t);
    const statements = await new UboService(source, SETTINGS, undefined, clock).asBods(t);
    await writeFile(join(dir, 'export.json'), JSON.stringify(statements));

    const store = new MemoryGraphStore();
    await program(store).parseAsync([
      'node',
      'seeder',
      'import',
      'bods',
      '--file',
      join(dir, 'export.json'),
      '--sink',
      'graph',
    ]);
    expect(lines.join('\n')).toContain('1 indirect control interest(s) only summarise');
    const after = await new UboService(store, SETTINGS, undefined, clock).forCompany(
      `company:bods:${t}`,
    );
    const said = (answer: typeof before): unknown => ({
      beneficialOwners: answer.beneficialOwners.map((o) => [o.name, o.bases, o.explanation]),
      officials: answer.seniorManagingOfficials.map((o) => [o.name, o.role]),
      control: answer.controlPersons.map((c) => [c.name, c.reasons.length]),
      fallback: answer.fallback?.officials.map((o) => o.name) ?? null,
    });
    expect(said(after)).toEqual(said(before));
  });
  it('--overwrite never deletes the folder that holds --file, and replaces an earlier output only when the new one is complete', async () => {
    const t3 = join(dir, 't3');
    await mkdir(t3);
    await writeFile(join(t3, 'package.json'), JSON.stringify(PACKAGE));
    await expect(
      bods(['--file', join(t3, 'package.json'), '--out', t3, '--overwrite']),
    ).rejects.toMatchObject({ exitCode: 2, code: 'seeder.import.bods.invalid_input' });
    expect(lines.join('\n')).toContain(
      `--overwrite refused to replace the output folder ${t3}: it holds --file ${join(t3, 'package.json')}`,
    );
    expect(await readdir(t3)).toEqual(['package.json']);

    // An earlier output is kept when the new import is refused, and replaced when it succeeds.
    const out = join(dir, 'out');
    await bods(['--file', join(dir, 'package.json'), '--out', out]);
    const earlier = await readFile(join(out, 'vertices.jsonl'), 'utf8');
    await writeFile(join(dir, 'junk.json'), '[{"a":1}]');
    await expect(
      bods(['--file', join(dir, 'junk.json'), '--out', out, '--overwrite']),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(await readFile(join(out, 'vertices.jsonl'), 'utf8')).toBe(earlier);
    await writeFile(join(dir, 'one.json'), JSON.stringify([PACKAGE[0]]));
    await bods(['--file', join(dir, 'one.json'), '--out', out, '--overwrite']);
    expect((await readFile(join(out, 'vertices.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(
      1,
    );
    expect((await readdir(dir)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('refuses a file of which nothing can be imported, and summarises the skipped statements on standard error', async () => {
    await writeFile(join(dir, 'junk.json'), `[${'{"a":1},'.repeat(5)}{}]`);
    await expect(bods(['--file', join(dir, 'junk.json')])).rejects.toMatchObject({
      exitCode: 2,
      code: 'seeder.import.bods.invalid_input',
    });
    const errors = stderr();
    expect(errors[0]).toBe(
      'warning: 30 problem(s) in 6 of the 6 statements; what they concern (the statement, or one interest of it) was left out (--strict refuses the whole file instead)',
    );
    expect(errors).toContain('6 x statements[*].statementId is required');
    expect(errors).toContain(
      '6 x statements[*].recordType must be one of entity, person, relationship',
    );
    // The first few problems, then a count: never one line per problem.
    expect(errors.filter((line) => line.startsWith('statements['))).toHaveLength(5);
    expect(errors).toContain('(and 25 more)');
    expect(errors.join('\n')).toContain(
      `Nothing was imported from --file ${join(dir, 'junk.json')}: none of its 6 statements gave a person, an entity or a relationship`,
    );
    expect(stdout()).toEqual([]);

    lines = [];
    await writeFile(join(dir, 'empty.json'), '[]');
    await expect(bods(['--file', join(dir, 'empty.json')])).rejects.toMatchObject({
      exitCode: 2,
    });
    expect(lines.join('\n')).toContain('it holds no statements (an empty JSON array)');
  });

  it('summarises skipped statements on standard error without --out too, and keeps standard output JSON lines only', async () => {
    await writeFile(
      join(dir, 'invalid.json'),
      JSON.stringify([...PACKAGE, { recordId: 'x', recordType: 'company' }]),
    );
    await bods(['--file', join(dir, 'invalid.json')]);
    expect(stdout().map((line) => (JSON.parse(line) as Json).kind)).toEqual([
      'vertex',
      'vertex',
      'edge',
    ]);
    expect(stderr()[0]).toMatch(/^warning: 4 problem\(s\) in 1 of the 5 statements/);
    expect(stderr()).toContain(
      'statements[4].recordType must be one of entity, person, relationship',
    );
  });

  it('reads a file that starts with a UTF-8 byte order mark', async () => {
    await writeFile(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(PACKAGE)}`);
    await bods(['--file', join(dir, 'bom.json')]);
    expect(stdout()).toHaveLength(3);
  });

  it('reads JSON lines (one statement per line) and UTF-16 with a byte order mark, and names the bad line', async () => {
    const lines = PACKAGE.map((statement) => JSON.stringify(statement)).join('\n');
    await writeFile(join(dir, 'lines.jsonl'), `${lines}\n`);
    await bods(['--file', join(dir, 'lines.jsonl')]);
    expect(stdout()).toHaveLength(3);
    await writeFile(
      join(dir, 'utf16.json'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(PACKAGE), 'utf16le')]),
    );
    await bods(['--file', join(dir, 'utf16.json')]);
    expect(stdout()).toHaveLength(6);
    await writeFile(join(dir, 'broken.jsonl'), `${lines}\n{"statementId": \n`);
    await expect(bods(['--file', join(dir, 'broken.jsonl')])).rejects.toThrow();
    expect(stderr().join('\n')).toContain(
      `read as JSON lines (one statement per line), its line ${PACKAGE.length + 1}:`,
    );
  });

  it('reads a package from a pipe (--file /dev/stdin, process substitution), and a JSON-lines file of one statement', async () => {
    const pipe = join(dir, 'pipe.json');
    execFileSync('mkfifo', [pipe]);
    const writer = createWriteStream(pipe);
    writer.end(JSON.stringify(PACKAGE));
    await bods(['--file', pipe]);
    expect(stdout()).toHaveLength(3);
    await writeFile(join(dir, 'one.jsonl'), `${JSON.stringify(PACKAGE[0])}\n`);
    await bods(['--file', join(dir, 'one.jsonl')]);
    expect(stdout().length).toBeGreaterThan(3);
  });

  it('--as-of refuses a day that does not exist', async () => {
    await expect(
      bods(['--file', join(dir, 'package.json'), '--as-of', '2022-02-30']),
    ).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    expect(lines.join('\n')).toContain(
      "option '--as-of <date>' argument '2022-02-30' is invalid. not a real calendar date",
    );
  });

  it('refuses a file over the size limit, saying how to split it, and documents the limit in --help', async () => {
    await expect(
      bods(['--file', join(dir, 'package.json')], { maxFileBytes: 100 }),
    ).rejects.toMatchObject({ exitCode: 2 });
    const message = lines.join('\n');
    expect(message).toContain(`--file ${join(dir, 'package.json')} is 0.0 MB, more than the`);
    expect(message).toContain('keeping every statement of one recordId in the same part');
    expect(stdout()).toEqual([]);

    const root = new Command('seeder');
    const command = registerBodsCommands(root);
    expect(MAX_BODS_FILE_BYTES).toBe(256 * 1024 * 1024);
    const help = [command.helpInformation()];
    command.configureOutput({ writeOut: (text) => help.push(text) });
    command.outputHelp();
    expect(help.join('')).toContain('a file over 256 MB is refused');
  });
});
