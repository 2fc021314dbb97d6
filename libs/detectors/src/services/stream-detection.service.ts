import { Inject, Injectable, Optional } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import type { Movement } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import type { AccountEvent } from '../core/activity';
import type { DetectedAlert } from '../core/detector';
import { MOVEMENT_RISK_HOOK } from '../core/movement-risk-hook';
import type { MovementRiskHook, MovementRiskHookFactory } from '../core/movement-risk-hook';
import { StoreAccountDirectory } from '../engine/store-account-directory';
import { StoreIdentifierUses } from '../engine/store-identifier-uses';
import type { IdentifierUse } from '../engine/types';
import { conversionProblem } from '../core/convertible';
import { StreamDetectionEngine } from '../engine/stream-detection.engine';
import { DetectorRegistry } from '../registry/detector.registry';

/**
 * Per-event detection for the ingest worker: `await onMovement(m)` after the movement is
 * written; alerts raised or grown by it are saved (deduplicated) and returned. Call it for one
 * movement at a time, in time order (the engine's windows assume it). A call that failed may be
 * made again for the same movement: it is fed to the rules once (see `persist`).
 */
/** Activities whose raised alerts wait for a save tried again (see `persist`). */
const MAX_UNSAVED = 10_000;

@Injectable()
export class StreamDetectionService {
  private readonly directory: StoreAccountDirectory;
  private readonly engine: StreamDetectionEngine;
  /** The learned risk model's hook (RISK_MODEL_FILE), when one is configured. */
  private readonly risk: MovementRiskHook | undefined;
  /** Identifier uses read from the store when the model first meets an account. */
  private readonly identifierUses: StoreIdentifierUses | undefined;
  /** Alerts of activities fed to the rules whose save failed, by activity (see `persist`). */
  private readonly unsaved = new Map<string, DetectedAlert[]>();

  constructor(
    private readonly registry: DetectorRegistry,
    store: GraphStore,
    private readonly alerts: AlertRepository,
    @Optional() @Inject(MOVEMENT_RISK_HOOK) risk?: MovementRiskHookFactory | null,
  ) {
    this.directory = new StoreAccountDirectory(store);
    this.engine = new StreamDetectionEngine(registry.instantiate(), this.directory);
    this.risk = risk?.create(this.directory);
    this.identifierUses = this.risk?.onIdentifierUses ? new StoreIdentifierUses(store) : undefined;
  }

  /**
   * Why `movement` cannot be judged by the rules (no rate into the base currency for its
   * amounts on its date), or undefined. Check before writing: the engine passes such a movement
   * over.
   */
  conversionProblem(movement: Movement): string | undefined {
    const problem = conversionProblem(this.registry.money, movement);
    return problem && `${problem.field}: ${problem.error.message}`;
  }

  async onMovement(movement: Movement): Promise<DetectedAlert[]> {
    const key = `movement ${movement.movementId}`;
    const unsaved = this.unsaved.get(key);
    if (unsaved !== undefined) return this.persist(key, unsaved);
    const accounts = [movement.fromAccount, movement.toAccount];
    await this.directory.ensure(accounts);
    if (this.identifierUses)
      this.risk?.onIdentifierUses?.(await this.identifierUses.load(accounts));
    const alerts = this.engine.onMovement(movement);
    this.risk?.onMovement(movement, alerts);
    return this.persist(key, alerts);
  }

  async onEvent(event: AccountEvent): Promise<DetectedAlert[]> {
    const key = `event ${event.accountId}>${event.eventId}`;
    const unsaved = this.unsaved.get(key);
    if (unsaved !== undefined) return this.persist(key, unsaved);
    await this.directory.ensure([event.accountId]);
    return this.persist(key, this.engine.onEvent(event));
  }

  /**
   * Identifier uses (USES edges) the ingest worker wrote: given to the learned risk model, if
   * any, for its shared-identifier features (a movement counts uses that began before it).
   */
  onIdentifierUses(uses: readonly IdentifierUse[]): void {
    if (uses.length > 0) this.risk?.onIdentifierUses?.(uses);
  }

  /** Entries held by the rules' windows. */
  stateSize(): number {
    return this.engine.stateSize();
  }

  /**
   * Saves what an activity raised. When the save fails (the graph went away), the alerts are
   * kept under the activity's key: the caller may call again for the same activity once the
   * store answers (the ingest worker waits out an outage so), and then only the save is tried
   * again. Feeding the activity to the rules a second time would count it twice.
   */
  private async persist(key: string, alerts: DetectedAlert[]): Promise<DetectedAlert[]> {
    if (alerts.length === 0) return alerts;
    this.unsaved.set(key, alerts);
    // Bounded: an activity whose save failed for good (not tried again) is let go of, oldest first.
    if (this.unsaved.size > MAX_UNSAVED) {
      const [oldest] = this.unsaved.keys();
      this.unsaved.delete(oldest);
    }
    await this.alerts.save(alerts);
    this.unsaved.delete(key);
    return alerts;
  }
}
