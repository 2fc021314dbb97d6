import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { DetectionChunk } from '@app/detectors';
import { generateBank, generateBankWithPatterns, PROFILE_NAMES } from '@app/generators';
import type { ProfileName } from '@app/generators';
import { bankOptionsFor } from '../generate/generate.command';
import type { SeederContext } from '../generate/generate.command';
import { isoInstantOption } from '../date-options';
import { readJsonlDataset } from '../evaluate/jsonl-dataset.reader';

const DAY_MS = 86_400_000;

/** The labelled data a command learns from or scores on: a dataset folder or a generated bank. */
export interface LabelledDataOptions {
  dataset?: string;
  profile?: ProfileName;
  seed?: number;
  referenceTime?: string;
  days?: number;
  injectPatterns?: string;
}

export interface LabelledData {
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>;
  /** Since when the data is complete (the first simulated day), when known. */
  observedSince?: number;
  /** What the data is, for the model file and the output. */
  facts: Record<string, string | number>;
}

export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`must be a whole number between ${min} and ${max}`);
    return value;
  };
}

/** Adds the data options shared by `train`, `compare-models` and `tune`. */
export function addLabelledDataOptions(command: Command): Command {
  return command
    .option(
      '--dataset <dir>',
      'a folder written by `seeder generate --sink jsonl` or `seeder import`',
    )
    .addOption(
      new Option('--profile <name>', 'profile to generate; default SEEDER_PROFILE').choices(
        PROFILE_NAMES,
      ),
    )
    .option(
      '--seed <n>',
      'random seed of the generated bank; default SEEDER_SEED',
      wholeNumber(0, 4_294_967_295),
    )
    .option(
      '--reference-time <iso>',
      'end of the simulated period; default SEEDER_REFERENCE_TIME',
      isoInstantOption,
    )
    .option(
      '--days <n>',
      'length of the simulated period; default SEEDER_DAYS',
      wholeNumber(1, 3650),
    )
    .option(
      '--inject-patterns <file>',
      'graft an AMLworld *_Patterns.txt file onto the generated bank',
    );
}

/**
 * Opens the data the options name: the dataset folder (its manifest tells since when it is
 * complete), else the bank generated from the options and the settings. Returns undefined for
 * `--inject-patterns` with `--dataset`, which the caller refuses.
 */
export async function openLabelledData(
  opts: LabelledDataOptions,
  context: Pick<SeederContext, 'seeder' | 'detectors'>,
): Promise<LabelledData | undefined> {
  const facts: Record<string, string | number> = {};
  if (opts.dataset !== undefined) {
    if (opts.injectPatterns !== undefined) return undefined;
    const dataset = await readJsonlDataset(opts.dataset);
    const { referenceTime, days } = dataset.manifest;
    facts.dataset = opts.dataset;
    return {
      chunks: [dataset],
      ...(typeof referenceTime === 'string' && typeof days === 'number'
        ? { observedSince: Date.parse(referenceTime) - days * DAY_MS }
        : {}),
      facts,
    };
  }
  const bankOptions = bankOptionsFor(opts, context);
  const { profile, seed, referenceTime, days } = bankOptions;
  Object.assign(facts, { profile, seed, referenceTime, days });
  const observedSince = Date.parse(referenceTime) - days * DAY_MS;
  if (opts.injectPatterns === undefined)
    return { chunks: generateBank(bankOptions), observedSince, facts };
  const injected = await generateBankWithPatterns(bankOptions, opts.injectPatterns);
  facts.injectPatterns = injected.injection.file;
  facts.injectedAttempts = injected.injection.attempts;
  return { chunks: injected.chunks, observedSince, facts };
}
