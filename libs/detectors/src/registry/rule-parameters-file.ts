import { readFileSync } from 'node:fs';
import { InvalidInputError } from '@app/vocabulary';
import type { ParamValue } from '../core/detector';

export const RULE_PARAMETERS_FORMAT = 'graph-banking-rule-parameters';
export const RULE_PARAMETERS_FORMAT_VERSION = 1;

/**
 * A rule parameters file (JSON), written by `seeder tune` and loaded by the detectors when
 * DETECTORS_PARAMETERS_FILE names it. `parameters` has the shape of the `parameters` body of
 * `POST /alerts/scan` (rule id -> parameter name -> value; decimal amounts as strings such as
 * "500.00"): its values replace the rules' defaults, and a scan's own overrides still win.
 * The other members say where the values came from; the detectors do not read them.
 */
export interface RuleParametersFile {
  format: typeof RULE_PARAMETERS_FORMAT;
  formatVersion: typeof RULE_PARAMETERS_FORMAT_VERSION;
  parameters: Record<string, Record<string, ParamValue>>;
  /** What the values were tuned on and how they scored (free-form, for reviewers). */
  provenance?: Record<string, unknown>;
}

function problem(rule: string): InvalidInputError {
  return new InvalidInputError(`The rule parameters file is not usable: ${rule}`, [
    { field: 'parameters', rule },
  ]);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the envelope of a parsed parameters file (format, version, an object of objects).
 * Rule ids and values are checked against the rules by the registry that applies the file.
 */
export function parseRuleParametersFile(data: unknown): RuleParametersFile {
  if (!isRecord(data) || data.format !== RULE_PARAMETERS_FORMAT)
    throw problem(`it is not a ${RULE_PARAMETERS_FORMAT} file (written by \`seeder tune\`)`);
  if (data.formatVersion !== RULE_PARAMETERS_FORMAT_VERSION)
    throw problem(
      `format version ${String(data.formatVersion)} is not the one this version reads (${RULE_PARAMETERS_FORMAT_VERSION})`,
    );
  const parameters = data.parameters;
  if (!isRecord(parameters) || !Object.values(parameters).every(isRecord))
    throw problem('"parameters" must map each rule id to an object of parameter values');
  return data as unknown as RuleParametersFile;
}

/** Reads and checks a parameters file; InvalidInputError when unreadable or invalid. */
export function readRuleParametersFile(path: string): RuleParametersFile {
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
  return parseRuleParametersFile(data);
}

/** The file's JSON text, with a final newline. */
export function serializeRuleParametersFile(file: RuleParametersFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}
