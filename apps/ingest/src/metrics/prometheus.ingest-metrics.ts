import { Injectable, Provider } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';
import { IngestMetrics, SettledOutcome } from '../ingest/ingest.metrics';

const RECEIVED = 'ingest_messages_received_total';
const SETTLED = 'ingest_messages_settled_total';
const BATCH_SIZE = 'ingest_batch_size';
const BATCH_DURATION = 'ingest_batch_duration_seconds';
const BATCH_FAILURES = 'ingest_batch_failures_total';
const ALERTS = 'ingest_alerts_published_total';
const DETECTION_FAILURES = 'ingest_detection_failures_total';
const SUBSCRIBED = 'ingest_consumer_subscribed';
const OUTAGE = 'ingest_graph_outage';
const OUTAGE_RETRIES = 'ingest_graph_outage_retries_total';
const HELD = 'ingest_messages_held';
const STOP_GAVE_UP = 'ingest_stop_given_up_messages_total';

const OUTCOMES: readonly SettledOutcome[] = ['written', 'dead_lettered', 'retried', 'superseded'];

/** The worker's Prometheus metrics (prom-client's default registry, served on `/metrics`). */
export const INGEST_METRIC_PROVIDERS: Provider[] = [
  makeCounterProvider({
    name: RECEIVED,
    help: 'Messages taken from a topic into a micro-batch (redeliveries included).',
    labelNames: ['topic'],
  }),
  makeCounterProvider({
    name: SETTLED,
    help: 'Messages settled: written (acknowledged), dead_lettered, retried (negatively acknowledged), or superseded (acknowledged without a write: a newer version of the same vertex or edge was already written).',
    labelNames: ['topic', 'outcome'],
  }),
  makeHistogramProvider({
    name: BATCH_SIZE,
    help: 'Messages per micro-batch written to the graph (at most INGEST_BATCH_SIZE).',
    labelNames: ['topic'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
  }),
  makeHistogramProvider({
    name: BATCH_DURATION,
    help: 'Time to write a micro-batch to the graph and settle its messages (detection included).',
    labelNames: ['topic'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeCounterProvider({
    name: BATCH_FAILURES,
    help: 'Micro-batches whose write failed for a reason other than a graph outage, and were split to isolate the message causing it.',
    labelNames: ['topic'],
  }),
  makeGaugeProvider({
    name: OUTAGE,
    help: '1 while the graph store does not answer and the worker holds its batches (nothing is dead-lettered meanwhile), else 0.',
  }),
  makeCounterProvider({
    name: OUTAGE_RETRIES,
    help: 'Tries of a held batch that failed because the graph store was still down.',
  }),
  makeCounterProvider({
    name: ALERTS,
    help: 'Stream alerts published to the alerts topic.',
  }),
  makeCounterProvider({
    name: DETECTION_FAILURES,
    help: 'Movements whose detection failed, or alerts that could not be published.',
  }),
  makeGaugeProvider({
    name: HELD,
    help: 'Messages held in the worker, unacknowledged, because an end vertex they need (e.g. an account) is not written yet (at most INGEST_HOLD_MAX_MESSAGES per topic).',
    labelNames: ['topic'],
  }),
  makeCounterProvider({
    name: STOP_GAVE_UP,
    help: 'Messages whose graph write was still running when a stop ran out of time (INGEST_STOP_TIMEOUT_MS); left unacknowledged for the broker to deliver again.',
    labelNames: ['topic'],
  }),
  makeGaugeProvider({
    name: SUBSCRIBED,
    help: '1 while the worker is subscribed to the topic, else 0.',
    labelNames: ['topic'],
  }),
];

/** `IngestMetrics` recorded in Prometheus through @willsoto/nestjs-prometheus. */
@Injectable()
export class PrometheusIngestMetrics extends IngestMetrics {
  constructor(
    @InjectMetric(RECEIVED) private readonly received: Counter<'topic'>,
    @InjectMetric(SETTLED) private readonly settledMessages: Counter<'topic' | 'outcome'>,
    @InjectMetric(BATCH_SIZE) private readonly batchSize: Histogram<'topic'>,
    @InjectMetric(BATCH_DURATION) private readonly batchDuration: Histogram<'topic'>,
    @InjectMetric(BATCH_FAILURES) private readonly batchFailures: Counter<'topic'>,
    @InjectMetric(ALERTS) private readonly alerts: Counter,
    @InjectMetric(DETECTION_FAILURES) private readonly detectionFailures: Counter,
    @InjectMetric(SUBSCRIBED) private readonly subscribed: Gauge<'topic'>,
    @InjectMetric(OUTAGE) private readonly outage: Gauge,
    @InjectMetric(OUTAGE_RETRIES) private readonly outageRetries: Counter,
    @InjectMetric(HELD) private readonly held: Gauge<'topic'>,
    @InjectMetric(STOP_GAVE_UP) private readonly stopGaveUpMessages: Counter<'topic'>,
  ) {
    super();
  }

  consuming(topics: readonly string[], running: boolean): void {
    for (const topic of topics) {
      this.subscribed.set({ topic }, running ? 1 : 0);
      // Every series exists from the start, so rates and alerts see 0 rather than no data.
      this.received.inc({ topic }, 0);
      for (const outcome of OUTCOMES) this.settledMessages.inc({ topic, outcome }, 0);
      this.batchFailures.inc({ topic }, 0);
      this.held.set({ topic }, 0);
      this.stopGaveUpMessages.inc({ topic }, 0);
    }
    this.outage.inc(0);
    this.outageRetries.inc(0);
  }

  batchStarted(topic: string, size: number): void {
    this.received.inc({ topic }, size);
  }

  batchFinished(topic: string, size: number, seconds: number): void {
    this.batchSize.observe({ topic }, size);
    this.batchDuration.observe({ topic }, seconds);
  }

  batchFailed(topic: string): void {
    this.batchFailures.inc({ topic });
  }

  graphOutage(active: boolean): void {
    this.outage.set(active ? 1 : 0);
  }

  outageRetried(): void {
    this.outageRetries.inc();
  }

  settled(topic: string, outcome: SettledOutcome): void {
    this.settledMessages.inc({ topic, outcome });
  }

  alertsPublished(count: number): void {
    this.alerts.inc(count);
  }

  detectionFailed(count: number): void {
    this.detectionFailures.inc(count);
  }

  heldMessages(topic: string, count: number): void {
    this.held.set({ topic }, count);
  }

  stopGaveUp(topic: string, count: number): void {
    this.stopGaveUpMessages.inc({ topic }, count);
  }
}
