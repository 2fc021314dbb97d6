import { readFileSync } from 'node:fs';
import { InvalidInputError } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../features/feature-set';
import type { BoostedTrees, BoostingParams, TreeNode } from './boosted-trees';

export const RISK_MODEL_FORMAT = 'graph-banking-risk-model';
export const RISK_MODEL_FORMAT_VERSION = 1;

/** Minority-class counts and scores of one labelling of one split. */
export interface SplitMetrics {
  movements: number;
  labelled: number;
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** What a model file holds (JSON). Everything needed to score, explain and review it. */
export interface RiskModelFile {
  format: typeof RISK_MODEL_FORMAT;
  formatVersion: typeof RISK_MODEL_FORMAT_VERSION;
  /** Model version stored on every scored alert: `risk-<first 12 hex of the fingerprint>`. */
  modelVersion: string;
  featureSet: { version: string; names: string[] };
  seed: number;
  /** A movement scores as suspicious at or above this probability (picked on validation). */
  threshold: number;
  training: {
    /** sha256 over the movement ids, labels and features in training order, and the parameters. */
    fingerprint: string;
    facts: Record<string, string | number>;
    split: { spanStart: string; validationFrom: string; testFrom: string; end: string };
    rows: { train: number; trainPositives: number; negativeSampleRate: number };
    params: BoostingParams;
  };
  metrics: Record<string, Record<string, SplitMetrics>>;
  model: BoostedTrees;
}

function problem(rule: string): InvalidInputError {
  return new InvalidInputError(`The risk model file is not usable: ${rule}`, [
    { field: 'model', rule },
  ]);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks a parsed model file: format and version, the feature set this code computes, a
 * threshold in (0, 1), and trees whose nodes point inside the tree at known features. Throws
 * InvalidInputError with one plain rule.
 */
export function parseRiskModel(data: unknown): RiskModelFile {
  if (!isRecord(data) || data.format !== RISK_MODEL_FORMAT)
    throw problem(`it is not a ${RISK_MODEL_FORMAT} file (written by \`seeder train\`)`);
  if (data.formatVersion !== RISK_MODEL_FORMAT_VERSION)
    throw problem(
      `format version ${String(data.formatVersion)} is not the one this version reads (${RISK_MODEL_FORMAT_VERSION}); train the model again`,
    );
  const featureSet = data.featureSet;
  if (
    !isRecord(featureSet) ||
    featureSet.version !== FEATURE_SET_VERSION ||
    !Array.isArray(featureSet.names) ||
    featureSet.names.join(',') !== FEATURE_NAMES.join(',')
  )
    throw problem(
      `it was trained on feature set ${isRecord(featureSet) ? String(featureSet.version) : 'unknown'}, and this version computes ${FEATURE_SET_VERSION}; train the model again`,
    );
  if (!finite(data.threshold) || data.threshold <= 0 || data.threshold >= 1)
    throw problem('threshold must be a number between 0 and 1');
  if (typeof data.modelVersion !== 'string' || data.modelVersion === '')
    throw problem('modelVersion is missing');
  const model = data.model;
  if (!isRecord(model) || !finite(model.baseMargin) || !Array.isArray(model.trees))
    throw problem('model must hold baseMargin and trees');
  model.trees.forEach((tree: unknown, t: number) => checkTree(tree, t));
  return data as unknown as RiskModelFile;
}

function checkTree(tree: unknown, t: number): asserts tree is TreeNode[] {
  if (!Array.isArray(tree) || tree.length === 0) throw problem(`tree ${t} is empty`);
  tree.forEach((node: unknown, n: number) => {
    const where = `tree ${t}, node ${n}`;
    if (!isRecord(node) || !finite(node.value) || !Number.isInteger(node.feature))
      throw problem(`${where} needs a numeric value and feature`);
    const feature = node.feature as number;
    if (feature === -1) return;
    if (feature < 0 || feature >= FEATURE_NAMES.length)
      throw problem(`${where} splits on unknown feature ${feature}`);
    if (!finite(node.threshold)) throw problem(`${where} has no numeric threshold`);
    for (const child of [node.left, node.right])
      if (!Number.isInteger(child) || (child as number) <= n || (child as number) >= tree.length)
        throw problem(`${where} points at a child outside the tree`);
  });
}

/** Reads and checks a model file; InvalidInputError when unreadable or invalid. */
export function readRiskModelFile(path: string): RiskModelFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw problem(
      `cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw problem(`${path} is not JSON`);
  }
  return parseRiskModel(data);
}

/** The file's JSON text: keys in a fixed order, so the same model gives the same bytes. */
export function serializeRiskModel(file: RiskModelFile): string {
  return JSON.stringify(file, null, 1) + '\n';
}
