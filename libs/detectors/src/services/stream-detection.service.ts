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
 * movement at a time, in time order (the engine's windows assume it).
 */
@Injectable()
export class StreamDetectionService {
  private readonly directory: StoreAccountDirectory;
  private readonly engine: StreamDetectionEngine;
  /** The learned risk model's hook (RISK_MODEL_FILE), when one is configured. */
  private readonly risk: MovementRiskHook | undefined;
  /** Identifier uses read from the store when the model first meets an account. */
  private readonly identifierUses: StoreIdentifierUses | undefined;

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
    const accounts = [movement.fromAccount, movement.toAccount];
    await this.directory.ensure(accounts);
    if (this.identifierUses)
      this.risk?.onIdentifierUses?.(await this.identifierUses.load(accounts));
    const alerts = this.engine.onMovement(movement);
    this.risk?.onMovement(movement, alerts);
    return this.persist(alerts);
  }

  async onEvent(event: AccountEvent): Promise<DetectedAlert[]> {
    await this.directory.ensure([event.accountId]);
    return this.persist(this.engine.onEvent(event));
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

  private async persist(alerts: DetectedAlert[]): Promise<DetectedAlert[]> {
    if (alerts.length > 0) await this.alerts.save(alerts);
    return alerts;
  }
}
