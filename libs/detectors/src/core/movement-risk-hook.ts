import type { Movement } from '@app/vocabulary';
import type { AccountDirectory } from './account-directory';
import type { IdentifierUse } from '../engine/types';
import type { AlertRisk, DetectedAlert } from './detector';

/**
 * A post-processing step of per-event detection: after the rules have seen a movement, it sees
 * the movement and the alerts the movement raised, in the same order, and may add its view
 * (`DetectedAlert.risk`) to them. The learned risk model (@app/risk-model) is one; without one,
 * detection is unchanged.
 */
export interface MovementRiskHook {
  /**
   * Returns the movement's risk (also set on each alert), in time order like the rules; or
   * undefined, feeding nothing, when the movement cannot be scored (its amounts have no rate
   * into the base currency on its date: see conversionProblem), as the rules pass it over.
   */
  onMovement(movement: Movement, alerts: DetectedAlert[]): AlertRisk | undefined;
  /**
   * Accounts' identifier uses (USES edges) as they become known, before the movements that
   * should see them; a movement counts only uses that began before it. Kept through a trial.
   */
  onIdentifierUses?(uses: readonly IdentifierUse[]): void;
  /** Runs `run` and then forgets every movement fed during it (what-if scoring). */
  trial<T>(run: () => T): T;
}

/** Makes a hook over the account directory the engine uses (one per live engine). */
export interface MovementRiskHookFactory {
  create(accounts: AccountDirectory): MovementRiskHook;
  /**
   * How much history before a movement the hook must have seen to score it as the stream
   * would (its features' longest look-back). The store scan replays that much; without it,
   * the scan replays the rules' longest look-back, as the real-time endpoint's warm-up does.
   */
  readonly historyMs?: number;
}

/** Injection token of the optional {@link MovementRiskHookFactory}. */
export const MOVEMENT_RISK_HOOK = Symbol('MOVEMENT_RISK_HOOK');
