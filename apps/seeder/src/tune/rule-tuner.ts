import {
  activitiesOf,
  detectInActivities,
  MemoryAccountDirectory,
  MovementTally,
  StructuralIndex,
  TEST_SHARE,
  timestampOf,
} from '@app/detectors';
import type {
  Activity,
  BinaryScores,
  DetectionDataset,
  DetectorRegistry,
  ParamValue,
  ParameterOverrides,
} from '@app/detectors';
import { VALIDATION_FROM_SHARE } from '@app/risk-model';
import { familyOf, InvalidInputError } from '@app/vocabulary';
import type { GroundTruthRecord } from '@app/vocabulary';
import { TUNING_GRIDS } from './tuning-grids';
import type { GridValue, RuleGrid } from './tuning-grids';

/** A labelled dataset held in memory, as `seeder tune` reads or generates it. */
export interface TuningDataset extends DetectionDataset {
  groundTruth: readonly GroundTruthRecord[];
  /** Since when the data is complete (generated banks: the first simulated day). */
  observedSince?: number;
}

/** The time split of `seeder train`: train < validationFrom <= validation < testFrom <= test. */
export interface TuningSplit {
  spanStart: number;
  validationFrom: number;
  testFrom: number;
  end: number;
}

export interface TuneOptions {
  /** Candidate values per rule and parameter (default {@link TUNING_GRIDS}). */
  grids?: Readonly<Record<string, RuleGrid>>;
  /** Only these rules are searched (default: every AML rule with a grid). */
  rules?: readonly string[];
  /** Where the search starts (default: the registry's defaults, i.e. settings). */
  start?: ParameterOverrides;
  /** Most candidate runs of one rule over the data (the budget). */
  maxEvaluations: number;
  /** Most sweeps over all rules and parameters; a sweep that changes nothing ends the search. */
  maxPasses?: number;
  onProgress?: (step: TuneStep) => void;
}

/** One candidate tried: a rule with one parameter changed, and what F1 on validation it gave. */
export interface TuneStep {
  ruleId: string;
  parameter: string;
  value: GridValue;
  /** Validation F1 (all AML rules together) with this candidate. */
  f1: number;
  /** Best validation F1 so far, including this candidate. */
  best: number;
  improved: boolean;
  evaluations: number;
  maxEvaluations: number;
}

export interface ParameterChange {
  ruleId: string;
  parameter: string;
  from: ParamValue;
  to: ParamValue;
}

export interface TuneResult {
  split: TuningSplit;
  /** Overrides of the tuned parameters that differ from the defaults: rule id -> name -> value. */
  parameters: Record<string, Record<string, ParamValue>>;
  /** Changes from the starting parameters, in the order the search made them. */
  changes: ParameterChange[];
  evaluations: number;
  /** True when the budget ran out before the search had nothing left to try. */
  budgetExhausted: boolean;
  passes: number;
  /** AML movements, minority class, all rules together: before (start) and after tuning. */
  validation: { before: BinaryScores; after: BinaryScores };
  test: { before: BinaryScores; after: BinaryScores };
  /** Rules that took part (AML, reporting duties left out), and those searched. */
  rules: { scored: string[]; searched: string[] };
}

/** Movement id -> timestamp of the movements an alert run flagged. */
type Flagged = Map<string, number>;

/**
 * `seeder tune`'s search: a coordinate search over each AML rule's main parameters (declared
 * grids, fixed order, no randomness) that maximises per-transaction minority-class F1 on the
 * validation part of `seeder train`'s time split, with every AML rule's alerts counted together
 * as `seeder evaluate` counts them. The search replays only movements before the test split, so
 * the test figures it reports are untouched by it.
 */
export class RuleTuner {
  private readonly activities: Activity[];
  private readonly beforeTest: Activity[];
  private readonly structural: StructuralIndex;
  private readonly tally = new MovementTally();
  private readonly positives = new Map<string, number>();
  private readonly reporting: Set<string>;
  readonly split: TuningSplit;

  constructor(
    private readonly registry: DetectorRegistry,
    private readonly data: TuningDataset,
  ) {
    this.reporting = new Set(registry.reportingRuleIds());
    this.activities = activitiesOf(data);
    const times = new Map<string, number>();
    for (const activity of this.activities)
      if (activity.type === 'movement') {
        this.tally.observe(activity.movement.timestamp);
        times.set(activity.movement.movementId, activity.movement.timestamp);
      }
    const testFrom = this.tally.splitAt(TEST_SHARE, data.observedSince);
    const validationFrom = this.tally.splitAt(1 - VALIDATION_FROM_SHARE, data.observedSince);
    if (testFrom === null || validationFrom === null)
      throw new InvalidInputError('The dataset has no movements to tune on', []);
    this.split = {
      spanStart: this.tally.spanStart(data.observedSince),
      validationFrom,
      testFrom,
      end: this.tally.last,
    };
    for (const record of data.groundTruth) {
      if (record.decoy || familyOf(record.typology) !== 'aml') continue;
      for (const id of record.movements) {
        const at = times.get(id);
        if (at !== undefined) this.positives.set(id, at);
      }
    }
    this.beforeTest = this.activities.filter((a) => timestampOf(a) < testFrom);
    this.structural = new StructuralIndex().add(data.vertices, data.edges);
  }

  /** AML rules scored together: every AML rule except reporting duties. */
  scoredRules(): string[] {
    return this.registry
      .list()
      .filter((d) => d.family === 'aml' && !this.reporting.has(d.id))
      .map((d) => d.id);
  }

  tune(options: TuneOptions): TuneResult {
    const grids = options.grids ?? TUNING_GRIDS;
    const scored = this.scoredRules();
    const chosen = options.rules ?? Object.keys(grids);
    const unknown = chosen.filter((id) => !scored.includes(id) || grids[id] === undefined);
    if (unknown.length > 0)
      throw new InvalidInputError(
        `Cannot tune ${unknown.join(', ')}: only AML rules with a declared grid can be tuned (${Object.keys(grids).join(', ')})`,
        unknown.map((id) => ({ field: 'rules', rule: `${id} has no tuning grid` })),
      );
    const searched = scored.filter((id) => chosen.includes(id));
    const foreign = Object.keys(options.start ?? {}).filter((id) => !scored.includes(id));
    if (foreign.length > 0)
      throw new InvalidInputError(
        `Starting parameters name rules that are not tuned AML rules: ${foreign.join(', ')}`,
        foreign.map((id) => ({ field: `parameters.${id}`, rule: 'must be an AML rule' })),
      );
    const start: Record<string, Record<string, unknown>> = {};
    for (const id of scored) start[id] = { ...(options.start?.[id] ?? {}) };
    // Validates the starting point (unknown parameters, bad values) before any replay.
    this.registry.instantiate(scored, start);

    const inValidation = (at: number): boolean =>
      at >= this.split.validationFrom && at < this.split.testFrom;
    const validationPositives = new Set(
      [...this.positives].filter(([, at]) => inValidation(at)).map(([id]) => id),
    );
    const cache = new Map<string, Set<string>>();
    const validationFlags = (ruleId: string, overrides: Record<string, unknown>): Set<string> => {
      const key = `${ruleId}\u0000${JSON.stringify(overrides)}`;
      let flags = cache.get(key);
      if (flags === undefined) {
        flags = new Set<string>();
        for (const [id, at] of this.run(ruleId, overrides, this.beforeTest))
          if (inValidation(at)) flags.add(id);
        cache.set(key, flags);
      }
      return flags;
    };

    const current: Record<string, Record<string, unknown>> = {};
    const sets = new Map<string, Set<string>>();
    for (const id of scored) {
      current[id] = { ...start[id] };
      sets.set(id, validationFlags(id, current[id]));
    }
    const f1Of = (others: Set<string>, own: Set<string>): number => {
      let predicted = others.size;
      let truePositives = 0;
      for (const id of others) if (validationPositives.has(id)) truePositives += 1;
      for (const id of own)
        if (!others.has(id)) {
          predicted += 1;
          if (validationPositives.has(id)) truePositives += 1;
        }
      const denominator = predicted + validationPositives.size;
      return denominator === 0 ? 0 : (2 * truePositives) / denominator;
    };
    let best = f1Of(new Set(), union([...sets.values()]));
    const changes: ParameterChange[] = [];
    let evaluations = 0;
    let budgetExhausted = false;
    let passes = 0;
    const maxPasses = options.maxPasses ?? 3;
    search: while (passes < maxPasses) {
      passes += 1;
      let improvedThisPass = false;
      for (const ruleId of searched) {
        const others = union(
          scored.filter((id) => id !== ruleId).flatMap((id) => sets.get(id) ?? []),
        );
        for (const [parameter, values] of Object.entries(grids[ruleId])) {
          for (const value of values) {
            const effective = this.effective(ruleId, current[ruleId])[parameter];
            if (value === effective) continue;
            if (evaluations >= options.maxEvaluations) {
              budgetExhausted = true;
              break search;
            }
            const candidate = { ...current[ruleId], [parameter]: value };
            const flags = validationFlags(ruleId, candidate);
            evaluations += 1;
            const f1 = f1Of(others, flags);
            const improved = f1 > best + 1e-12;
            if (improved) {
              changes.push({ ruleId, parameter, from: effective, to: value });
              best = f1;
              current[ruleId] = candidate;
              sets.set(ruleId, flags);
              improvedThisPass = true;
            }
            options.onProgress?.({
              ruleId,
              parameter,
              value,
              f1,
              best,
              improved,
              evaluations,
              maxEvaluations: options.maxEvaluations,
            });
          }
        }
      }
      if (!improvedThisPass) break;
    }

    const validation = {
      before: this.scores(
        validationPositives,
        union(scored.map((id) => validationFlags(id, start[id]))),
      ),
      after: this.scores(validationPositives, union([...sets.values()])),
    };
    const test = {
      before: this.testScores(scored, start),
      after: this.testScores(scored, current),
    };
    return {
      split: this.split,
      parameters: this.changedFromDefaults(scored, current),
      changes,
      evaluations,
      budgetExhausted,
      passes,
      validation,
      test,
      rules: { scored, searched },
    };
  }

  /** A rule's resolved parameters with `overrides` applied. */
  private effective(
    ruleId: string,
    overrides: Record<string, unknown>,
  ): Readonly<Record<string, ParamValue>> {
    return this.registry.instantiate([ruleId], { [ruleId]: overrides })[0].params;
  }

  /** Replays `activities` through one rule; the movements its AML alerts hold as evidence. */
  private run(
    ruleId: string,
    overrides: Record<string, unknown>,
    activities: readonly Activity[],
  ): Flagged {
    const result = detectInActivities(
      this.registry.instantiate([ruleId], { [ruleId]: overrides }),
      activities,
      new MemoryAccountDirectory(this.data.vertices, this.data.edges),
      {
        observedSince: this.data.observedSince,
        structural: (hubCap, kinds) => ({
          shared: this.structural.shared(hubCap, kinds),
          holders: this.structural.holders(),
        }),
      },
    );
    const flagged: Flagged = new Map();
    for (const alert of result.alerts) {
      if (familyOf(alert.typology) !== 'aml' || this.reporting.has(alert.ruleId)) continue;
      for (const m of alert.movements) flagged.set(m.movementId, m.timestamp);
    }
    return flagged;
  }

  /** Scores on the test split: every scored rule over the whole dataset, as `evaluate` does. */
  private testScores(scored: readonly string[], params: Record<string, Record<string, unknown>>) {
    const flagged = new Set<string>();
    for (const id of scored)
      for (const [movementId, at] of this.run(id, params[id], this.activities))
        if (at >= this.split.testFrom) flagged.add(movementId);
    const positives = new Set(
      [...this.positives].filter(([, at]) => at >= this.split.testFrom).map(([id]) => id),
    );
    return this.scores(positives, flagged, this.tally.atOrAfter(this.split.testFrom));
  }

  private scores(positives: Set<string>, flagged: Set<string>, movements?: number): BinaryScores {
    let truePositives = 0;
    for (const id of flagged) if (positives.has(id)) truePositives += 1;
    const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
    return {
      movements:
        movements ??
        this.tally.atOrAfter(this.split.validationFrom) - this.tally.atOrAfter(this.split.testFrom),
      labelled: positives.size,
      predicted: flagged.size,
      truePositives,
      precision: ratio(truePositives, flagged.size),
      recall: ratio(truePositives, positives.size),
      f1:
        flagged.size + positives.size === 0
          ? null
          : (2 * truePositives) / (flagged.size + positives.size),
    };
  }

  private changedFromDefaults(
    scored: readonly string[],
    current: Record<string, Record<string, unknown>>,
  ): Record<string, Record<string, ParamValue>> {
    const parameters: Record<string, Record<string, ParamValue>> = {};
    for (const id of scored) {
      const defaults = this.effective(id, {});
      const tuned = this.effective(id, current[id]);
      for (const [name, value] of Object.entries(tuned)) {
        if (JSON.stringify(value) === JSON.stringify(defaults[name])) continue;
        (parameters[id] ??= {})[name] = value;
      }
    }
    return parameters;
  }
}

function union(sets: readonly Set<string>[]): Set<string> {
  const all = new Set<string>();
  for (const set of sets) for (const id of set) all.add(id);
  return all;
}
