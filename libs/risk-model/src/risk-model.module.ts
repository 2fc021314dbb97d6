import { Global, Module } from '@nestjs/common';
import type { FactoryProvider } from '@nestjs/common';
import {
  ALL_DETECTORS,
  baseMoneyFromSettings,
  conversionProblem,
  MOVEMENT_RISK_HOOK,
} from '@app/detectors';
import type {
  AccountDirectory,
  AlertRisk,
  DetectedAlert,
  MovementRiskHook,
  MovementRiskHookFactory,
} from '@app/detectors';
import {
  detectorsSettings,
  InvalidSettingsError,
  modelSettings,
  moneySettings,
} from '@app/settings';
import type { DetectorsConfig, ModelConfig, MoneyConfig } from '@app/settings';
import { InvalidInputError } from '@app/vocabulary';
import type { BaseMoney, Movement } from '@app/vocabulary';
import { readRiskModelFile } from './model/risk-model-file';
import type { RiskModelFile } from './model/risk-model-file';
import { describeRisk, RiskScorer } from './model/risk-scorer';

/** Injection token of the loaded model file (null when RISK_MODEL_FILE is unset). */
export const RISK_MODEL = Symbol('RISK_MODEL');

/**
 * Reads RISK_MODEL_FILE: null when unset; an unreadable or invalid file stops the start with an
 * InvalidSettingsError naming the variable, the file and the rule it breaks.
 */
export function riskModelFromSettings(config: ModelConfig): RiskModelFile | null {
  const file = config.riskModelFile?.trim() ?? '';
  if (file === '') return null;
  try {
    return readRiskModelFile(file);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidSettingsError([
      { variable: 'RISK_MODEL_FILE', value: file, rule: error.message },
    ]);
  }
}

/** Rule ids whose alerts mark a filing duty, not suspicion (left out of the rule-hit features). */
const REPORTING_RULES = ALL_DETECTORS.filter((d) => d.purpose === 'reporting').map((d) => d.id);

/** The risk of a movement as alerts carry it. */
export function alertRiskOf(
  scorer: RiskScorer,
  movement: Movement,
  alerts: DetectedAlert[],
): AlertRisk {
  const risk = scorer.onMovement(movement, alerts);
  const view: AlertRisk = {
    modelVersion: risk.modelVersion,
    score: risk.score,
    threshold: risk.threshold,
    reasons: risk.reasons.map(({ feature, effect, text }) => ({ feature, effect, text })),
  };
  const sentence = describeRisk(risk);
  for (const alert of alerts) {
    alert.risk = view;
    // Stored and streamed with the alert, so the queue and the alerts topic show it too.
    alert.explanation = `${alert.explanation} ${sentence}`;
  }
  return view;
}

/** Scores movements with the model file, for one live engine (its account directory). */
export class ModelRiskHookFactory implements MovementRiskHookFactory {
  constructor(
    readonly file: RiskModelFile,
    private readonly money: BaseMoney,
    private readonly highRiskJurisdictions: readonly string[],
  ) {}

  create(accounts: AccountDirectory): MovementRiskHook {
    const scorer = new RiskScorer(this.file, {
      accounts,
      money: this.money,
      highRiskJurisdictions: this.highRiskJurisdictions,
      reportingRules: REPORTING_RULES,
    });
    return {
      // A movement the rate table cannot convert is passed over, as the rules pass it over (a
      // stored one must not fail a scan or every real-time request: see conversionProblem).
      onMovement: (movement, alerts) =>
        conversionProblem(this.money, movement) === undefined
          ? alertRiskOf(scorer, movement, alerts)
          : undefined,
      onIdentifierUses: (uses) => {
        for (const use of uses) scorer.onIdentifierUse(use);
      },
      trial: (run) => scorer.trial(run),
    };
  }
}

const RISK_MODEL_PROVIDER: FactoryProvider<RiskModelFile | null> = {
  provide: RISK_MODEL,
  inject: [modelSettings.KEY],
  useFactory: riskModelFromSettings,
};

const RISK_HOOK_PROVIDER: FactoryProvider<MovementRiskHookFactory | null> = {
  provide: MOVEMENT_RISK_HOOK,
  inject: [RISK_MODEL, moneySettings.KEY, detectorsSettings.KEY],
  useFactory: (file: RiskModelFile | null, money: MoneyConfig, detectors: DetectorsConfig) =>
    file === null
      ? null
      : new ModelRiskHookFactory(
          file,
          baseMoneyFromSettings(money),
          detectors.highRiskJurisdictions,
        ),
};

/**
 * The learned risk model of RISK_MODEL_FILE, global so that the detectors' stream service and
 * the real-time endpoint find its hook (MOVEMENT_RISK_HOOK). Without a file both tokens are
 * null and detection is unchanged. Needs the global SettingsModule.
 */
@Global()
@Module({
  providers: [RISK_MODEL_PROVIDER, RISK_HOOK_PROVIDER],
  exports: [RISK_MODEL, MOVEMENT_RISK_HOOK],
})
export class RiskModelModule {}
