import { Inject, Injectable, Optional } from '@nestjs/common';
import { detectorsSettings, InvalidSettingsError } from '@app/settings';
import type { DetectorsConfig } from '@app/settings';
import { EntityNotFoundError, InvalidInputError, shippedBaseMoney } from '@app/vocabulary';
import type { BaseMoney, FieldProblem, Typology } from '@app/vocabulary';
import type { Detector, DetectorParams, ParamValue, ParameterSpec } from '../core/detector';
import { resolveParameters } from '../core/parameters';
import type { ParameterOverrides } from '../core/parameters';
import { BASE_MONEY, DETECTORS } from './detectors.tokens';
import { readRuleParametersFile } from './rule-parameters-file';

/** One rule with the parameters of one run. */
export interface RuleInstance {
  detector: Detector;
  params: DetectorParams;
  /** Converts amounts into the base currency for the rule's comparisons. */
  money: BaseMoney;
}

/** A rule as the API and the docs describe it. */
export interface RuleDescription {
  id: string;
  version: string;
  typology: Typology;
  family: 'aml' | 'fraud';
  kind: Detector['kind'];
  description: string;
  source: string;
  parameters: (ParameterSpec & { default: ParamValue })[];
}

/**
 * Every registered rule, looked up by id, with its defaults from the `detectors` settings.
 * Instantiates rules for a run with per-run parameter overrides.
 */
@Injectable()
export class DetectorRegistry {
  private readonly byId = new Map<string, Detector>();
  /**
   * The conversion into the base currency handed to every rule instance: `BASE_MONEY` when
   * provided (DetectorsModule builds it from the `money` settings), else the built-in FX table
   * in USD.
   */
  readonly money: BaseMoney;
  /** Parameters of DETECTORS_PARAMETERS_FILE (written by `seeder tune`), in place of defaults. */
  private readonly fileParameters: ParameterOverrides;

  constructor(
    @Inject(DETECTORS) detectors: readonly Detector[],
    @Inject(detectorsSettings.KEY) private readonly config: DetectorsConfig,
    @Optional() @Inject(BASE_MONEY) money?: BaseMoney,
  ) {
    this.money = money ?? shippedBaseMoney('USD');
    for (const detector of detectors) {
      if (this.byId.has(detector.id)) {
        throw new Error(
          `Two detectors are registered with the id "${detector.id}"; rule ids must be unique`,
        );
      }
      this.byId.set(detector.id, detector);
    }
    this.fileParameters = this.loadParametersFile(config.parametersFile);
  }

  /**
   * Reads DETECTORS_PARAMETERS_FILE and checks every value against its rule; an unreadable
   * file, an unknown rule or parameter, or a bad value stops the start with an
   * InvalidSettingsError naming the variable, the file and the problem.
   */
  private loadParametersFile(path: string | undefined): ParameterOverrides {
    const file = path?.trim() ?? '';
    if (file === '') return {};
    const refuse = (rule: string): InvalidSettingsError =>
      new InvalidSettingsError([{ variable: 'DETECTORS_PARAMETERS_FILE', value: file, rule }]);
    try {
      const { parameters } = readRuleParametersFile(file);
      for (const [id, values] of Object.entries(parameters)) {
        const detector = this.byId.get(id);
        if (!detector)
          throw refuse(`names rule ${id}, which is not a known rule (${this.ids().join(', ')})`);
        resolveParameters(detector, this.config, values);
      }
      return parameters;
    } catch (error) {
      if (error instanceof InvalidInputError) throw refuse(error.message);
      throw error;
    }
  }

  /**
   * One rule's parameters for one run outside `instantiate` (the fraud ring query): defaults,
   * the parameters file, then `overrides`; bad values refused as in `instantiate`.
   */
  parametersOf<P extends DetectorParams>(
    detector: Detector<P>,
    overrides: Readonly<Record<string, unknown>> = {},
  ): P {
    return resolveParameters(detector, this.config, {
      ...this.fileParameters[detector.id],
      ...overrides,
    });
  }

  /** Defaults of one rule: the settings', then the parameters file's. */
  private defaultsOf(detector: Detector): DetectorParams {
    return resolveParameters(detector, this.config, this.fileParameters[detector.id] ?? {});
  }

  list(): Detector[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): Detector {
    const detector = this.byId.get(id);
    if (!detector) throw new EntityNotFoundError('Rule', id);
    return detector;
  }

  /** A rule's specificity for case consolidation (0 for unknown rules). */
  specificityOf(ruleId: string): number {
    return this.byId.get(ruleId)?.specificity ?? 0;
  }

  /** Ids of rules that mark reporting obligations rather than suspicion. */
  reportingRuleIds(): string[] {
    return this.list()
      .filter((d) => d.purpose === 'reporting')
      .map((d) => d.id);
  }

  describe(): RuleDescription[] {
    return this.list().map((detector) => {
      const defaults = this.defaultsOf(detector);
      return {
        id: detector.id,
        version: detector.version,
        typology: detector.typology,
        family: detector.family,
        kind: detector.kind,
        description: detector.description,
        source: detector.source,
        parameters: detector.parameters.map((spec) => ({ ...spec, default: defaults[spec.name] })),
      };
    });
  }

  /**
   * The chosen rules (all when `ruleIds` is absent or empty) with defaults plus overrides.
   * Unknown rule ids, overrides for rules not chosen, and bad parameter values are refused with
   * `InvalidInputError` listing every problem.
   */
  instantiate(ruleIds?: readonly string[], overrides: ParameterOverrides = {}): RuleInstance[] {
    const problems: FieldProblem[] = [];
    const chosen = ruleIds && ruleIds.length > 0 ? [...new Set(ruleIds)] : this.ids();
    chosen.forEach((id, index) => {
      if (!this.byId.has(id)) {
        problems.push({
          field: `rules[${index}]`,
          rule: `must be a known rule id (${this.ids().join(', ')})`,
        });
      }
    });
    for (const id of Object.keys(overrides)) {
      if (!chosen.includes(id)) {
        problems.push({ field: `parameters.${id}`, rule: 'must name a rule chosen for this run' });
      }
    }
    if (problems.length > 0) {
      throw new InvalidInputError(
        `Invalid rule selection: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
        problems,
      );
    }
    return chosen.map((id) => {
      const detector = this.get(id);
      return {
        detector,
        params: resolveParameters(detector, this.config, {
          ...this.fileParameters[id],
          ...overrides[id],
        }),
        money: this.money,
      };
    });
  }
}
