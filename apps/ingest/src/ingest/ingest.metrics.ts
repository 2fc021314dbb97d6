/** How a consumed message was settled (the `outcome` label of the settled-messages metric). */
export type SettledOutcome = 'written' | 'dead_lettered' | 'retried' | 'superseded';

/**
 * What the ingest worker reports while it works, by full topic name. The app records it in
 * Prometheus (`PrometheusIngestMetrics`); code that builds a worker by hand (unit tests,
 * benchmarks) gets {@link NoIngestMetrics}. The worker's own `counters` stay the in-process view.
 */
export abstract class IngestMetrics {
  /** The worker subscribed to these topics (true) or detached from them (false). */
  abstract consuming(topics: readonly string[], running: boolean): void;
  /** A micro-batch of `size` messages from `topic` was taken for writing. */
  abstract batchStarted(topic: string, size: number): void;
  /** That batch was written and its messages settled, in `seconds`. */
  abstract batchFinished(topic: string, size: number, seconds: number): void;
  /** A batch failed for a reason other than a store outage and was split to isolate the cause. */
  abstract batchFailed(topic: string): void;
  /** The graph store stopped answering (true: writes are held) or answers again (false). */
  abstract graphOutage(active: boolean): void;
  /** A held batch was tried again and failed because the store is still down. */
  abstract outageRetried(): void;
  /** One message was acknowledged, dead-lettered or negatively acknowledged. */
  abstract settled(topic: string, outcome: SettledOutcome): void;
  /** Stream alerts published to the alerts topic. */
  abstract alertsPublished(count: number): void;
  /** Movements whose detection failed, or alerts that could not be published. */
  abstract detectionFailed(count: number): void;
  /** Messages of `topic` held in the worker for a missing end vertex right now. */
  abstract heldMessages(topic: string, count: number): void;
  /** A stop gave up the writes of `count` messages of `topic` (left to the broker). */
  abstract stopGaveUp(topic: string, count: number): void;
}

/** Records nothing. */
export class NoIngestMetrics extends IngestMetrics {
  consuming(): void {}
  batchStarted(): void {}
  batchFinished(): void {}
  batchFailed(): void {}
  graphOutage(): void {}
  outageRetried(): void {}
  settled(): void {}
  alertsPublished(): void {}
  detectionFailed(): void {}
  heldMessages(_topic: string, _count: number): void {}
  stopGaveUp(_topic: string, _count: number): void {}
}
