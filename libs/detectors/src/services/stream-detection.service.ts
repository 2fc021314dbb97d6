import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import type { Movement } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import type { AccountEvent } from '../core/activity';
import type { DetectedAlert } from '../core/detector';
import { StoreAccountDirectory } from '../engine/store-account-directory';
import { StreamDetectionEngine } from '../engine/stream-detection.engine';
import { DetectorRegistry } from '../registry/detector.registry';

/**
 * Per-event detection for the ingest worker: `await onMovement(m)` after the movement is
 * written; alerts raised or grown by it are saved (deduplicated) and returned. Call it for one
 * movement at a time, in time order (the engine's windows assume it).
 */
@Injectable()
export class StreamDetectionService {
  private readonly directory: StoreAccountDirectory;
  private readonly engine: StreamDetectionEngine;

  constructor(
    registry: DetectorRegistry,
    store: GraphStore,
    private readonly alerts: AlertRepository,
  ) {
    this.directory = new StoreAccountDirectory(store);
    this.engine = new StreamDetectionEngine(registry.instantiate(), this.directory);
  }

  async onMovement(movement: Movement): Promise<DetectedAlert[]> {
    await this.directory.ensure([movement.fromAccount, movement.toAccount]);
    return this.persist(this.engine.onMovement(movement));
  }

  async onEvent(event: AccountEvent): Promise<DetectedAlert[]> {
    await this.directory.ensure([event.accountId]);
    return this.persist(this.engine.onEvent(event));
  }

  /** Entries held by the rules' windows. */
  stateSize(): number {
    return this.engine.stateSize();
  }

  private async persist(alerts: DetectedAlert[]): Promise<DetectedAlert[]> {
    if (alerts.length > 0) await this.alerts.save(alerts);
    return alerts;
  }
}
