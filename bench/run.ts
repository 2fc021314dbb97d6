import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchGraphStore } from './graph-store.bench';

/** One benchmark section of docs/benchmarks.md. */
interface Section {
  name: string;
  title: string;
  run: () => Promise<string>;
}

const SECTIONS: Section[] = [
  { name: 'graph-store', title: 'Graph store: batched loading, queries (issue 3)', run: () => benchGraphStore() },
];

const DOC = join(__dirname, '..', 'docs', 'benchmarks.md');
const begin = (name: string): string => `<!-- bench:${name}:begin -->`;
const end = (name: string): string => `<!-- bench:${name}:end -->`;

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let java = 'unknown';
  try {
    java = execSync('java -version 2>&1', { encoding: 'utf8' }).split('\n')[0] ?? java;
  } catch {
    // Java is only needed for the real services; say so in the report.
  }
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${java}`;
}

function header(): string {
  return [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (or `npm run bench -- --only <section,…>` for some sections), which',
    'starts a real JanusGraph 1.1.0 and Pulsar 3.0.7 on loopback, runs every comparison side by side in',
    'one process and rewrites the sections below. The machines are shared and noisy: read the **ratios**',
    'between the columns of one run, not absolute numbers across runs.',
    '',
  ].join('\n');
}

function parseOnly(argv: readonly string[]): Set<string> | undefined {
  const index = argv.indexOf('--only');
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined) throw new Error('--only needs a comma-separated list of sections');
  const names = new Set(value.split(','));
  for (const name of names) {
    if (!SECTIONS.some((s) => s.name === name)) {
      throw new Error(`--only: unknown section "${name}" (known: ${SECTIONS.map((s) => s.name).join(', ')})`);
    }
  }
  return names;
}

async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2));
  let doc: string;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc = header();
  }
  for (const section of SECTIONS) {
    if (only && !only.has(section.name)) continue;
    process.stdout.write(`\n== ${section.title}\n`);
    const started = Date.now();
    const body = await section.run();
    const stamp = `_Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}; took ${Math.round((Date.now() - started) / 1000)} s._`;
    const block = `${begin(section.name)}\n## ${section.title}\n\n${stamp}\n\n${body.trim()}\n${end(section.name)}`;
    const from = doc.indexOf(begin(section.name));
    const to = doc.indexOf(end(section.name));
    doc = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end(section.name).length) : `${doc.trimEnd()}\n\n${block}\n`;
    writeFileSync(DOC, doc);
    process.stdout.write(`${body.trim()}\n`);
  }
  process.stdout.write(`\nWrote ${DOC}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
