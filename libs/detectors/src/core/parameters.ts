import type { DetectorsConfig } from '@app/settings';
import { InvalidInputError, toMinorUnits } from '@app/vocabulary';
import type { FieldProblem } from '@app/vocabulary';
import type { Detector, DetectorParams, ParamValue, ParameterSpec } from './detector';

/** Per-run overrides: rule id -> parameter name -> value. */
export type ParameterOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

function checkValue(field: string, spec: ParameterSpec, value: unknown): FieldProblem[] {
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return [{ field, rule: 'must be a number' }];
      }
      if (spec.kind === 'integer' && !Number.isSafeInteger(value)) {
        return [{ field, rule: 'must be a whole number' }];
      }
      if (spec.min !== undefined && value < spec.min) {
        return [{ field, rule: `must be at least ${spec.min}` }];
      }
      if (spec.max !== undefined && value > spec.max) {
        return [{ field, rule: `must be at most ${spec.max}` }];
      }
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [{ field, rule: 'must be true or false' }];
    case 'decimal':
      return typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)
        ? []
        : [{ field, rule: 'must be a decimal amount written as a string, such as "10000.00"' }];
    case 'string':
      if (typeof value !== 'string' || value.length === 0) {
        return [{ field, rule: 'must be a non-empty string' }];
      }
      return spec.values && !spec.values.includes(value)
        ? [{ field, rule: `must be one of ${spec.values.join(', ')}` }]
        : [];
    case 'stringList':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? []
        : [{ field, rule: 'must be a list of strings' }];
  }
}

/**
 * The parameters of one rule for one run: the defaults (from the `detectors` settings where a
 * setting exists) with the run's overrides applied. Unknown names and bad values are refused
 * with `InvalidInputError`, naming `parameters.<ruleId>.<name>` and the rule broken.
 */
export function resolveParameters<P extends DetectorParams>(
  detector: Detector<P>,
  config: DetectorsConfig,
  overrides: Readonly<Record<string, unknown>> = {},
): P {
  const defaults = detector.defaults(config);
  const problems: FieldProblem[] = [];
  const merged: Record<string, ParamValue> = { ...defaults };
  for (const [name, value] of Object.entries(overrides)) {
    const field = `parameters.${detector.id}.${name}`;
    const spec = detector.parameters.find((p) => p.name === name);
    if (!spec) {
      problems.push({
        field,
        rule: `is not a parameter of ${detector.id} (known: ${detector.parameters.map((p) => p.name).join(', ')})`,
      });
      continue;
    }
    const found = checkValue(field, spec, value);
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    merged[name] = value as ParamValue;
  }
  if (problems.length > 0) {
    throw new InvalidInputError(
      `Invalid parameters for rule ${detector.id}: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
  return merged as P;
}

const minorCache = new Map<string, number>();

/**
 * A decimal amount setting ("10000.00") in minor units of `currency`. Thresholds apply in each
 * movement's own currency (no FX conversion); a currency with fewer decimals than the setting
 * is handled by `toMinorUnits`.
 */
export function minorIn(decimal: string, currency: string): number {
  const key = `${decimal}|${currency}`;
  let minor = minorCache.get(key);
  if (minor === undefined) {
    try {
      minor = toMinorUnits(decimal, currency);
    } catch {
      throw new InvalidInputError(`"${decimal}" is not an amount in ${currency}`, [
        { field: 'threshold', rule: `must be a decimal amount with at most ${currency} decimals` },
      ]);
    }
    minorCache.set(key, minor);
  }
  return minor;
}
