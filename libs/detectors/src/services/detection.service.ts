import { Inject, Injectable, Optional } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import { Clock } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import { MOVEMENT_RISK_HOOK } from '../core/movement-risk-hook';
import type { MovementRiskHookFactory } from '../core/movement-risk-hook';
import type { ParameterOverrides } from '../core/parameters';
import { scoreScanAlerts } from '../engine/scan-risk';
import type { BatchResult, RuleRunStats } from '../engine/batch-detection';
import { StoreBatchDetection } from '../engine/store-scan';
import type { StoreScanProgress } from '../engine/store-scan';
import { assertWindow } from '../engine/batch-detection';
import { DetectorRegistry } from '../registry/detector.registry';
import type { RuleDescription, RuleInstance } from '../registry/detector.registry';

export interface ScanRequest {
  /** Rule ids; all rules when absent or empty. */
  rules?: readonly string[];
  from: number;
  to: number;
  /** Per-rule parameter overrides for this run. */
  parameters?: ParameterOverrides;
  /** Store the alerts (default true); false gives a dry run. */
  persist?: boolean;
}

export interface ScanReport {
  from: number;
  to: number;
  movementsScanned: number;
  /** Account events (logins, credential changes) in the window replayed to the rules that read them. */
  eventsScanned: number;
  /**
   * Movements passed over because their amounts have no rate into the base currency on their
   * date (the rules compare amounts only through the rate table), and those currencies: add
   * them to FX_RATES_FILE and scan again.
   */
  movementsNotConverted: number;
  currenciesWithoutRate: string[];
  rules: RuleRunStats[];
  alerts: { detected: number; created: number; updated: number; unchanged: number };
  alertIds: string[];
  /**
   * The learned risk model's part (RISK_MODEL_FILE): whether one is configured, the version
   * that scored the alerts (null when none was scored), how many alerts it scored and how many
   * stored movements it read to do so (history included).
   */
  risk: {
    modelConfigured: boolean;
    modelVersion: string | null;
    alertsScored: number;
    movementsFed: number;
  };
  durationMs: number;
}

/**
 * How far a scan has come: detecting (rules run over the store), scoring (the learned model,
 * when one is configured, reads the movements up to the alerts'), then saving the alerts.
 */
export interface ScanProgress extends StoreScanProgress {
  phase: 'detecting' | 'scoring' | 'saving';
}

/** Cooperative control of a running scan. */
export interface ScanControl {
  /**
   * Aborting it stops the scan at its next store read (between rules, movement pages and
   * candidate chunks); the scan then rejects with the signal's reason and stores nothing.
   * Once the alerts are being saved, the save completes.
   */
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

/** A scan request checked against the rules and the window, ready to run. */
export interface PlannedScan {
  request: ScanRequest;
  instances: readonly RuleInstance[];
}

/**
 * Batch scans over the graph store, with alerts saved (deduplicated) in the graph. With a
 * learned risk model (MOVEMENT_RISK_HOOK, from RISK_MODEL_FILE), the alerts' movements are
 * scored as the stream scores them (`scoreScanAlerts`) and the alerts stored with that risk.
 */
@Injectable()
export class DetectionService {
  constructor(
    private readonly registry: DetectorRegistry,
    private readonly store: GraphStore,
    private readonly alerts: AlertRepository,
    private readonly clock: Clock,
    @Optional()
    @Inject(MOVEMENT_RISK_HOOK)
    private readonly riskHooks?: MovementRiskHookFactory | null,
  ) {}

  rules(): RuleDescription[] {
    return this.registry.describe();
  }

  /**
   * Checks a request without running it: unknown rules, bad parameters and an empty window
   * throw InvalidInputError here, so a caller can refuse the request before starting a job.
   */
  plan(request: ScanRequest): PlannedScan {
    assertWindow({ from: request.from, to: request.to });
    return { request, instances: this.registry.instantiate(request.rules, request.parameters) };
  }

  /** Runs the chosen rules over [from, to) and stores what they raise. */
  scan(request: ScanRequest, control: ScanControl = {}): Promise<ScanReport> {
    return this.run(this.plan(request), control);
  }

  /** Runs a planned scan; see {@link ScanControl} for cancellation and progress. */
  async run(planned: PlannedScan, control: ScanControl = {}): Promise<ScanReport> {
    const { request, instances } = planned;
    const started = this.clock.now();
    const result: BatchResult = await new StoreBatchDetection(this.store).scan(instances, {
      from: request.from,
      to: request.to,
      now: started,
      signal: control.signal,
      onProgress: (progress) => control.onProgress?.({ ...progress, phase: 'detecting' }),
    });
    control.signal?.throwIfAborted();
    const risk = await this.scoreAlerts(result, control);
    control.onProgress?.({
      phase: 'saving',
      rulesDone: result.rules.length,
      rulesTotal: instances.length,
      movementsScanned: result.movements,
    });
    const saved =
      request.persist === false
        ? { created: 0, updated: 0, unchanged: 0, alertIds: result.alerts.map((a) => a.alertId) }
        : await this.alerts.save(result.alerts);
    return {
      from: request.from,
      to: request.to,
      movementsScanned: result.movements,
      eventsScanned: result.events,
      movementsNotConverted: result.unconverted.movements,
      currenciesWithoutRate: result.unconverted.currencies,
      rules: result.rules,
      alerts: {
        detected: result.alerts.length,
        created: saved.created,
        updated: saved.updated,
        unchanged: saved.unchanged,
      },
      alertIds: saved.alertIds,
      risk,
      durationMs: this.clock.now() - started,
    };
  }

  private async scoreAlerts(
    result: BatchResult,
    control: ScanControl,
  ): Promise<ScanReport['risk']> {
    const hooks = this.riskHooks;
    if (!hooks)
      return { modelConfigured: false, modelVersion: null, alertsScored: 0, movementsFed: 0 };
    control.onProgress?.({
      phase: 'scoring',
      rulesDone: result.rules.length,
      rulesTotal: result.rules.length,
      movementsScanned: result.movements,
    });
    const report = await scoreScanAlerts(this.store, hooks, result.alerts, {
      historyMs: hooks.historyMs ?? this.rulesHorizonMs(),
      signal: control.signal,
    });
    control.signal?.throwIfAborted();
    return {
      modelConfigured: true,
      modelVersion: result.alerts.find((a) => a.risk !== undefined)?.risk?.modelVersion ?? null,
      alertsScored: report.scored,
      movementsFed: report.movementsFed,
    };
  }

  /** The longest look-back of the rules (what the real-time endpoint's warm-up reads). */
  private rulesHorizonMs(): number {
    let horizon = 0;
    for (const { detector, params } of this.registry.instantiate())
      if (detector.kind === 'activity') horizon = Math.max(horizon, detector.lookbackMs(params));
    return horizon;
  }
}
