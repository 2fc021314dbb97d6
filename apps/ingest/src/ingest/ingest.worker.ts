import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  LoggerService,
  OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import { StreamingConfig, streamingSettings } from '@app/settings';
import { MessageBroker, ReceivedMessage, SubscribeOptions, Subscription } from '@app/streaming';
import { IngestMetrics, NoIngestMetrics } from './ingest.metrics';
import { IngestCounters, IngestProcessor } from './ingest.processor';
import { INGEST_LOGGER, INGEST_OPTIONS, IngestOptions } from './ingest.options';
import { MicroBatcher } from './micro-batcher';
import { MovementDetector } from './movement-detector';

/**
 * The ingest worker: consumes the entities and movements topics through the Shared
 * subscription of the `streaming` settings, writes micro-batches (up to `batchSize` messages or
 * `batchWindowMs`) into the graph, acknowledges each message only after its write succeeded,
 * and feeds written movements and account events (HAS_EVENT edges) to stream detection.
 * Reports batches and settled messages to `IngestMetrics` (Prometheus in the app).
 *
 * Starts when the application has booted; on shutdown (SIGTERM with `enableShutdownHooks`) it
 * stops taking messages, finishes and settles the batches in hand, then detaches — before the
 * broker and the graph store close.
 */
@Injectable()
export class IngestWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly processor: IngestProcessor;
  private readonly subscriptions: Subscription[] = [];
  private readonly entities: MicroBatcher<ReceivedMessage>;
  private readonly movements: MicroBatcher<ReceivedMessage>;
  /** Full names of the entities and movements topics. */
  private readonly topics: readonly [string, string];
  private running = false;

  constructor(
    private readonly broker: MessageBroker,
    store: GraphStore,
    detector: MovementDetector,
    @Inject(streamingSettings.KEY) private readonly config: StreamingConfig,
    @Inject(INGEST_OPTIONS) options: IngestOptions,
    @Optional()
    @Inject(INGEST_LOGGER)
    private readonly logger: LoggerService = new Logger(IngestWorker.name),
    @Optional() private readonly metrics: IngestMetrics = new NoIngestMetrics(),
  ) {
    this.processor = new IngestProcessor(
      store,
      broker,
      detector,
      {
        alertsTopic: config.alertsTopic,
        maxRedeliverCount: config.maxRedeliverCount,
        detectedMemory: options.detectedMemory,
      },
      logger,
      metrics,
    );
    const entitiesTopic = broker.topicName(config.entitiesTopic);
    const movementsTopic = broker.topicName(config.movementsTopic);
    this.topics = [entitiesTopic, movementsTopic];
    const measured =
      (topic: string, write: (batch: ReceivedMessage[]) => Promise<void>) =>
      async (batch: ReceivedMessage[]): Promise<void> => {
        this.metrics.batchStarted(topic, batch.length);
        const started = performance.now();
        await write(batch);
        this.metrics.batchFinished(topic, batch.length, (performance.now() - started) / 1000);
      };
    const onError =
      (kind: string, topic: string) =>
      (error: unknown, batch: readonly ReceivedMessage[]): void => {
        this.metrics.batchFailed(topic);
        this.logger.error({
          msg: `A ${kind} batch of ${batch.length} failed unexpectedly; its messages will be redelivered`,
          correlationId: batch[0]?.messageId,
          error: error instanceof Error ? error.message : String(error),
        });
      };
    this.entities = new MicroBatcher(
      measured(entitiesTopic, (batch) => this.processor.processEntities(batch)),
      options.batchSize,
      options.batchWindowMs,
      onError('entities', entitiesTopic),
    );
    this.movements = new MicroBatcher(
      measured(movementsTopic, (batch) => this.processor.processMovements(batch)),
      options.batchSize,
      options.batchWindowMs,
      onError('movements', movementsTopic),
    );
  }

  /** What the worker did so far (for logs, tests and the benchmark). */
  get counters(): Readonly<IngestCounters> {
    return this.processor.counters;
  }

  /** True while both topics are subscribed (from `start()` until `stop()`). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Full names of the topics the worker consumes, and its Shared subscription (health). */
  get source(): { topics: readonly string[]; subscription: string } {
    return { topics: this.topics, subscription: this.config.subscription };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Subscribes to both topics; fails with `StreamUnavailableError` if the broker is down. */
  async start(): Promise<void> {
    if (this.running) return;
    const options: SubscribeOptions = {
      deadLetterTopic: this.config.deadLetterTopic,
      maxRedeliverCount: this.config.maxRedeliverCount,
      nackRedeliveryDelayMs: this.config.nackRedeliveryDelayMs,
      ackTimeoutMs: this.config.ackTimeoutMs,
      receiveQueueSize: this.config.receiveQueueSize,
    };
    try {
      this.subscriptions.push(
        await this.broker.subscribe(
          this.config.entitiesTopic,
          this.config.subscription,
          (message) => this.entities.add(message),
          options,
        ),
      );
      this.subscriptions.push(
        await this.broker.subscribe(
          this.config.movementsTopic,
          this.config.subscription,
          (message) => this.movements.add(message),
          options,
        ),
      );
    } catch (error: unknown) {
      await this.closeSubscriptions();
      throw error;
    }
    this.running = true;
    this.metrics.consuming(this.topics, true);
    this.logger.log(
      `Ingesting ${this.broker.topicName(this.config.entitiesTopic)} and ${this.broker.topicName(this.config.movementsTopic)} ` +
        `as "${this.config.subscription}" (${this.broker.kind}); dead letters go to ${this.broker.topicName(this.config.deadLetterTopic)}`,
    );
  }

  /** Graceful stop: no new messages, finish and settle the batches in hand, detach. */
  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.stop();
    await Promise.all([this.entities.drain(), this.movements.drain()]);
    await this.closeSubscriptions();
    if (this.running) {
      this.running = false;
      this.metrics.consuming(this.topics, false);
      this.logger.log(`Ingest stopped: ${JSON.stringify(this.counters)}`);
    }
  }

  private async closeSubscriptions(): Promise<void> {
    const subscriptions = this.subscriptions.splice(0);
    await Promise.all(subscriptions.map((s) => s.close()));
  }
}
