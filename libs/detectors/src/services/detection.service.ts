import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import { Clock } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import type { ParameterOverrides } from '../core/parameters';
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
  rules: RuleRunStats[];
  alerts: { detected: number; created: number; updated: number; unchanged: number };
  alertIds: string[];
  durationMs: number;
}

/** How far a scan has come: detecting (rules run over the store), then saving the alerts. */
export interface ScanProgress extends StoreScanProgress {
  phase: 'detecting' | 'saving';
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

/** Batch scans over the graph store, with alerts saved (deduplicated) in the graph. */
@Injectable()
export class DetectionService {
  constructor(
    private readonly registry: DetectorRegistry,
    private readonly store: GraphStore,
    private readonly alerts: AlertRepository,
    private readonly clock: Clock,
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
      rules: result.rules,
      alerts: {
        detected: result.alerts.length,
        created: saved.created,
        updated: saved.updated,
        unchanged: saved.unchanged,
      },
      alertIds: saved.alertIds,
      durationMs: this.clock.now() - started,
    };
  }
}
