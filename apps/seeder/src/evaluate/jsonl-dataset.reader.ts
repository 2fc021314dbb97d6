import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidInputError, VERTEX_LABELS } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';

/** A dataset written by `seeder generate --sink jsonl` (either layout), read back into memory. */
export interface JsonlDataset {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  groundTruth: GroundTruthRecord[];
  manifest: Readonly<Record<string, unknown>>;
}

const VERTEX_LABEL_SET: ReadonlySet<string> = new Set(VERTEX_LABELS);

async function eachLine(
  path: string,
  visit: (value: unknown, line: number) => void,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    try {
      visit(JSON.parse(text) as unknown, number);
    } catch (error: unknown) {
      if (error instanceof InvalidInputError) throw error;
      throw new InvalidInputError(`${path} line ${number} is not JSON`, [
        { field: `${path}:${number}`, rule: 'must be one JSON object per line' },
      ]);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads vertices and edges from every `*.jsonl` file of the folder (records carry their
 * `label`), the ground truth from `ground-truth.jsonl` and `manifest.json` when present.
 */
export async function readJsonlDataset(directory: string): Promise<JsonlDataset> {
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch {
    throw new InvalidInputError(`The dataset folder ${directory} cannot be read`, [
      { field: 'dataset', rule: 'must be a folder written by `seeder generate --sink jsonl`' },
    ]);
  }
  if (!names.includes('ground-truth.jsonl')) {
    throw new InvalidInputError(`${directory} has no ground-truth.jsonl`, [
      {
        field: 'dataset',
        rule: 'must contain ground-truth.jsonl (write it with `seeder generate`)',
      },
    ]);
  }
  const dataset: JsonlDataset = { vertices: [], edges: [], groundTruth: [], manifest: {} };
  for (const name of names) {
    const path = join(directory, name);
    if (name === 'manifest.json') {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (isRecord(parsed)) dataset.manifest = parsed;
    } else if (name === 'ground-truth.jsonl') {
      await eachLine(path, (value) => dataset.groundTruth.push(value as GroundTruthRecord));
    } else if (name.endsWith('.jsonl')) {
      await eachLine(path, (value, line) => {
        if (!isRecord(value) || typeof value.label !== 'string') {
          throw new InvalidInputError(`${path} line ${line} has no label`, [
            { field: `${name}:${line}.label`, rule: 'must be a vertex or edge label' },
          ]);
        }
        if (VERTEX_LABEL_SET.has(value.label))
          dataset.vertices.push(value as unknown as GraphVertex);
        else dataset.edges.push(value as unknown as GraphEdge);
      });
    }
  }
  return dataset;
}
