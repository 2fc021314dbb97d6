import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  addToSummary,
  type DatasetSummary,
  emptySummary,
  generateBank,
  JsonlSink,
  PROFILES,
  type ProfileName,
  writeDataset,
} from '@app/generators';

export interface GeneratorBenchOptions {
  /** Profiles to measure (default tiny, small, medium). */
  profiles?: readonly ProfileName[];
  /** Also write JSON lines to a temporary folder (deleted afterwards); default true. */
  writeFiles?: boolean;
  seed?: number;
}

interface Row {
  profile: ProfileName;
  seconds: number;
  entities: number;
  movements: number;
  peakRssMb: number;
}

/** Parties, accounts and identifiers (what the population stage creates). */
function entitiesOf(summary: DatasetSummary): number {
  return (
    summary.vertices.Person +
    summary.vertices.Company +
    summary.vertices.Account +
    summary.vertices.Identifier
  );
}

async function measure(profile: ProfileName, seed: number, writeFiles: boolean): Promise<Row> {
  const options = { profile, seed, referenceTime: '2025-01-01T00:00:00Z', days: 90 } as const;
  let peak = process.memoryUsage().rss;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const started = performance.now();
  let summary: DatasetSummary;
  if (writeFiles) {
    const dir = await mkdtemp(join(tmpdir(), `bench-generators-${profile}-`));
    try {
      summary = await writeDataset(
        generateBank(options),
        await JsonlSink.open({ directory: join(dir, 'out') }),
        sample,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } else {
    summary = emptySummary();
    for await (const chunk of generateBank(options)) {
      addToSummary(summary, chunk);
      sample();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    profile,
    seconds,
    entities: entitiesOf(summary),
    movements: summary.edges.TRANSFERRED,
    peakRssMb: peak / 2 ** 20,
  };
}

/**
 * Measures the synthetic bank generator per profile: entities (persons, companies, accounts,
 * identifiers) per second, movements per second and peak resident memory, generating the
 * profile's 90 days (and writing JSON lines to a temporary folder unless `writeFiles` is false).
 * Returns a markdown section for docs/benchmarks.md.
 */
export async function benchGenerators(options: GeneratorBenchOptions = {}): Promise<string> {
  const profiles = options.profiles ?? ['tiny', 'small', 'medium'];
  const writeFiles = options.writeFiles ?? true;
  const rows: Row[] = [];
  for (const profile of profiles) rows.push(await measure(profile, options.seed ?? 42, writeFiles));
  const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return [
    '## Synthetic bank generator',
    '',
    `Seed ${options.seed ?? 42}, 90 days, ${writeFiles ? 'generation plus JSON lines written to a temporary folder' : 'generation only (chunks consumed in memory)'}; ` +
      'peak RSS sampled after every chunk (the process, including the benchmark runner).',
    '',
    '| profile | persons | entities | movements | seconds | entities/s | movements/s | peak RSS (MB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.profile} | ${number.format(PROFILES[r.profile].persons)} | ${number.format(r.entities)} | ${number.format(r.movements)} | ${r.seconds.toFixed(2)} | ` +
        `${number.format(r.entities / r.seconds)} | ${number.format(r.movements / r.seconds)} | ${number.format(r.peakRssMb)} |`,
    ),
    '',
  ].join('\n');
}
