import { Injectable } from '@nestjs/common';
import { StreamDetectionService } from '@app/detectors';
import type { AccountEvent, DetectedAlert, IdentifierUse } from '@app/detectors';
import type { StreamAlert } from '@app/streaming';
import type { Movement } from '@app/vocabulary';

/**
 * The ingest worker's integration point with per-event detection: called once per movement and
 * once per account event (an Event vertex reached through a HAS_EVENT edge: a login, a credential
 * change) written to the graph, in time order within a batch; returns the alerts raised or grown
 * by it.
 */
export abstract class MovementDetector {
  abstract onMovement(movement: Movement): Promise<StreamAlert[]>;
  abstract onEvent(event: AccountEvent): Promise<StreamAlert[]>;
  /**
   * Identifier uses (USES edges) written to the graph, before the activities of the same batch:
   * the learned risk model's shared-identifier features read them. Optional: a detector
   * without it ignores them.
   */
  onIdentifierUses?(uses: readonly IdentifierUse[]): void;
  /**
   * Why the rules cannot judge a movement (its currency has no rate into the base currency on
   * its date), or undefined. Optional: a detector without it takes every movement.
   */
  conversionProblem?(movement: Movement): string | undefined;
}

/** The alert as published on the alerts topic. */
export function streamAlertOf(alert: DetectedAlert): StreamAlert {
  return {
    alertId: alert.alertId,
    ruleId: alert.ruleId,
    ruleVersion: alert.ruleVersion,
    typology: alert.typology,
    severity: alert.severity,
    score: alert.score,
    explanation: alert.explanation,
    fingerprint: alert.fingerprint,
    subject: alert.subject,
    windowStart: alert.windowStart,
    windowEnd: alert.windowEnd,
    movementIds: alert.movements.map((m) => m.movementId),
    parties: alert.parties.map((p) => ({ uid: p.uid, role: p.role })),
    ...(alert.risk === undefined
      ? {}
      : {
          risk: {
            modelVersion: alert.risk.modelVersion,
            score: alert.risk.score,
            threshold: alert.risk.threshold,
            reasons: alert.risk.reasons.map(({ feature, effect, text }) => ({
              feature,
              effect,
              text,
            })),
          },
        }),
  };
}

/**
 * Detection with @app/detectors: `StreamDetectionService` keeps every activity rule's window
 * state, and saves raised alerts through the detectors' `AlertRepository` (deduplicated by
 * fingerprint) before returning them.
 */
@Injectable()
export class DetectorsMovementDetector extends MovementDetector {
  constructor(private readonly detection: StreamDetectionService) {
    super();
  }

  async onMovement(movement: Movement): Promise<StreamAlert[]> {
    return (await this.detection.onMovement(movement)).map(streamAlertOf);
  }

  async onEvent(event: AccountEvent): Promise<StreamAlert[]> {
    return (await this.detection.onEvent(event)).map(streamAlertOf);
  }

  override onIdentifierUses(uses: readonly IdentifierUse[]): void {
    this.detection.onIdentifierUses(uses);
  }

  override conversionProblem(movement: Movement): string | undefined {
    return this.detection.conversionProblem(movement);
  }
}
