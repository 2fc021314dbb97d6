import type { AlertStatus } from '@app/vocabulary';

/** One status change of an alert, newest last in a history. */
export interface AlertStatusChange {
  alertId: string;
  /** Null for the change that raised the alert. */
  from: AlertStatus | null;
  to: AlertStatus;
  at: number;
  note: string;
  /** Who made the change (an API key fingerprint or "detector"). */
  actor: string;
}

/**
 * Where alert status histories are kept: the audit trail of who changed an alert's status,
 * when, from what, to what and why. The default adapter, `GraphAlertStatusHistory`, keeps it in
 * the graph next to the Alert vertex (a `StatusChange` vertex per change), so it survives a
 * restart on JanusGraph and lives as long as the store on the embedded memory store.
 *
 * Rules every adapter follows (checked by the contract suite in alert-status-history.contract.ts):
 * - `list` answers oldest first (by `at`); changes with equal `at` keep the order they were
 *   appended in; an alert without changes, or an unknown one, has an empty history;
 * - an alert is raised once: appending a raise (`from: null`) when the alert already has one
 *   keeps the first;
 * - changes can only be appended to an alert that exists (`EntityNotFoundError` otherwise);
 * - a history is the same after re-creating the adapter over the same storage.
 */
export abstract class AlertStatusHistory {
  /** Records one change. */
  append(change: AlertStatusChange): Promise<void> {
    return this.appendAll([change]);
  }

  /** Records changes in the order given (one batch, e.g. the raises of a scan). */
  abstract appendAll(changes: readonly AlertStatusChange[]): Promise<void>;

  /** Oldest first. */
  abstract list(alertId: string): Promise<AlertStatusChange[]>;
}
