import { Injectable } from '@nestjs/common';
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
 * Where alert status histories are kept. The vocabulary's Alert vertex has no property for a
 * history yet, so this is a port of its own; the default adapter keeps it in memory (lost on
 * restart — see the library README for the vocabulary change that would make it durable).
 */
export abstract class AlertStatusHistory {
  abstract append(change: AlertStatusChange): Promise<void>;
  /** Oldest first. */
  abstract list(alertId: string): Promise<AlertStatusChange[]>;
}

@Injectable()
export class MemoryAlertStatusHistory extends AlertStatusHistory {
  private readonly byAlert = new Map<string, AlertStatusChange[]>();

  append(change: AlertStatusChange): Promise<void> {
    const list = this.byAlert.get(change.alertId);
    if (list) list.push({ ...change });
    else this.byAlert.set(change.alertId, [{ ...change }]);
    return Promise.resolve();
  }

  list(alertId: string): Promise<AlertStatusChange[]> {
    return Promise.resolve((this.byAlert.get(alertId) ?? []).map((c) => ({ ...c })));
  }
}
