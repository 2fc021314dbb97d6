import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import { Clock } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import type { ParameterOverrides } from '../core/parameters';
import type { BatchResult, RuleRunStats } from '../engine/batch-detection';
import { StoreBatchDetection } from '../engine/store-scan';
import { DetectorRegistry } from '../registry/detector.registry';
import type { RuleDescription } from '../registry/detector.registry';

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

  /** Runs the chosen rules over [from, to) and stores what they raise. */
  async scan(request: ScanRequest): Promise<ScanReport> {
    const started = this.clock.now();
    const instances = this.registry.instantiate(request.rules, request.parameters);
    const result: BatchResult = await new StoreBatchDetection(this.store).scan(instances, {
      from: request.from,
      to: request.to,
      now: started,
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
