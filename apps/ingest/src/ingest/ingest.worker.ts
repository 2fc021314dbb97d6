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
import {
  ensureSubscriptionsFromStart,
  MessageBroker,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
} from '@app/streaming';
import { Clock, SystemClock } from '@app/vocabulary';
import { BundleHost, itemsOf } from './bundle-items';
import { IngestMetrics, NoIngestMetrics } from './ingest.metrics';
import { IngestProcessor } from './ingest.processor';
import {
  DLQ_REPLAY_SUBSCRIPTION,
  INGEST_LOGGER,
  INGEST_OPTIONS,
  IngestOptions,
} from './ingest.options';
import { emptyCounters, IngestCounters, MessageSettler } from './message-settler';
import { MicroBatcher } from './micro-batcher';
import { MovementDetector } from './movement-detector';
import { OutageGate, OutageState } from './store-outage';
import { TopicPipeline, TopicPipelineOptions } from './topic-pipeline';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** True if `work` is done within `ms` (false: it is still running; it is not cancelled). */
async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The ingest worker: consumes the entities and movements topics through the subscription of the
 * `streaming` settings (Key_Shared by default: one account's messages always reach the same
 * worker, in order, so several workers can share the topics), writes micro-batches (up to
 * `batchSize` messages or `batchWindowMs`) into the graph, acknowledges each message only after
 * its write succeeded, and feeds written movements and account events (HAS_EVENT edges) to
 * stream detection. Reports batches and settled messages to `IngestMetrics` (Prometheus).
 *
 * - A graph outage is not a message fault: batches are held and tried again with backoff
 *   (`OutageGate`), nothing is settled, readiness says so (`outage`).
 * - A message that makes a write fail is isolated by splitting its batch (`TopicPipeline`).
 * - Up to `writeConcurrency` batches of a topic are written at once; detection and settling
 *   follow batch order, all messages of a batch settled at once (`TopicPipeline`,
 *   `IngestProcessor`, `MessageSettler`). On the entities topic two batches that share a
 *   message key are never written at once, so a later upsert of a uid lands last.
 * - A message whose end vertex is not written yet is held in the worker for `holdMissingMs` (more,
 *   up to `missingEntityWaitMs`, while batches of entities keep being written) and tried again
 *   whenever a new batch of entities is written, before the broker path applies.
 *
 * Starts when the application has booted; on shutdown (SIGTERM with `enableShutdownHooks`) it
 * stops taking messages, finishes and settles the batches in hand (during an outage it leaves
 * them to the broker), then detaches — before the broker and the graph store close.
 */
@Injectable()
export class IngestWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly counterValues: IngestCounters = emptyCounters();
  private readonly gate: OutageGate;
  private readonly subscriptions: Subscription[] = [];
  private readonly entities: MicroBatcher<ReceivedMessage>;
  private readonly movements: MicroBatcher<ReceivedMessage>;
  private readonly pipelines: readonly [TopicPipeline, TopicPipeline];
  /** Full names of the entities and movements topics. */
  private readonly topics: readonly [string, string];
  private running = false;
  private readonly stopTimeoutMs: number;

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
    @Optional() private readonly clock: Clock = new SystemClock(),
  ) {
    const entitiesTopic = broker.topicName(config.entitiesTopic);
    const movementsTopic = broker.topicName(config.movementsTopic);
    this.topics = [entitiesTopic, movementsTopic];
    this.stopTimeoutMs = options.stopTimeoutMs;
    this.gate = new OutageGate(
      { initialMs: options.outageRetryInitialMs, maxMs: options.outageRetryMaxMs },
      {
        failed: (state, retryInMs) => this.outageFailed(state, retryInMs),
        recovered: (downMs, state) => this.outageRecovered(downMs, state),
      },
      clock,
    );
    const settler = new MessageSettler(
      broker,
      {
        maxRedeliverCount: config.maxRedeliverCount,
        missingEntityWaitMs: options.missingEntityWaitMs,
      },
      this.counterValues,
      metrics,
      logger,
      clock,
      () => this.gate.storeAnsweringSince,
    );
    const processor = new IngestProcessor(
      store,
      broker,
      detector,
      settler,
      this.counterValues,
      {
        alertsTopic: config.alertsTopic,
        detectedMemory: options.detectedMemory,
        versionMemory: options.versionMemory,
      },
      logger,
      metrics,
      clock,
    );
    // Detection that meets a store outage waits it out like a write (see holdDetection).
    processor.holdDetection = (attempt) => this.gate.hold(attempt, 1);
    const complete = (prepared: Parameters<IngestProcessor['complete']>[0]) =>
      processor.complete(prepared);
    const movementsOptions: TopicPipelineOptions = {
      writeConcurrency: options.writeConcurrency,
      holdMissingMs: options.holdMissingMs,
      holdLongestMs: options.missingEntityWaitMs,
      holdMaxMessages: options.holdMaxMessages,
      holdRetryMs: options.holdRetryMs,
    };
    // Held messages occupy the receive queue (they are not acknowledged yet). Held movements may
    // fill it: the accounts they wait for come on the other topic. Held entity edges wait for
    // vertices of their own topic, so they leave room for at least one batch of new messages.
    // An entity message may update what an earlier one of its key wrote (a later upsert of the
    // same uid): with several writes at once, those of one key still land in order.
    const entitiesOptions: TopicPipelineOptions = {
      ...movementsOptions,
      keepKeyOrder: true,
      holdMaxMessages: Math.max(
        0,
        Math.min(options.holdMaxMessages, config.receiveQueueSize - options.batchSize),
      ),
    };
    // While a new batch of entities is being written, the vertices held messages wait for may
    // be in it: their hold does not run out (up to missingEntityWaitMs).
    const entitiesBusy = (): boolean => this.pipelines[0]?.writingNewBatch === true;
    this.pipelines = [
      new TopicPipeline(
        {
          topic: entitiesTopic,
          kind: 'entities',
          prepare: (batch) => processor.prepareEntities(batch),
          // Order is kept per vertex and edge, not per message key (a key bucket with bundles).
          orderKeys: (batch) => processor.entityKeys(batch),
          complete,
          // New vertices may be the ends held messages wait for: try those again now.
          written: (vertices) => {
            for (const pipeline of this.pipelines) pipeline.retryHeld(vertices);
          },
          entitiesBusy,
        },
        this.gate,
        this.counterValues,
        metrics,
        logger,
        entitiesOptions,
        clock,
      ),
      new TopicPipeline(
        {
          topic: movementsTopic,
          kind: 'movements',
          prepare: (batch) => processor.prepareMovements(batch),
          complete,
          entitiesBusy,
        },
        this.gate,
        this.counterValues,
        metrics,
        logger,
        movementsOptions,
        clock,
      ),
    ];
    this.entities = new MicroBatcher(
      (batch) => this.pipelines[0].run(batch),
      options.batchSize,
      options.batchWindowMs,
      (error, batch) => this.releaseFailed('entities', entitiesTopic, error, batch),
    );
    this.movements = new MicroBatcher(
      (batch) => this.pipelines[1].run(batch),
      options.batchSize,
      options.batchWindowMs,
      (error, batch) => this.releaseFailed('movements', movementsTopic, error, batch),
    );
  }

  /** What the worker did so far (for logs, tests and the benchmark). */
  get counters(): Readonly<IngestCounters> {
    return this.counterValues;
  }

  /** True while both topics are subscribed (from `start()` until `stop()`). */
  get isRunning(): boolean {
    return this.running;
  }

  /** The graph outage the worker is waiting out (batches held), or undefined. */
  get outage(): Readonly<OutageState> | undefined {
    return this.gate.outage;
  }

  /** Full names of the topics the worker consumes, and its subscription (health). */
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
    this.gate.restart();
    for (const pipeline of this.pipelines) pipeline.resume();
    this.entities.resume();
    this.movements.resume();
    await this.keepDeadLetters();
    await this.startFromFirstMessage();
    const options: SubscribeOptions = {
      deadLetterTopic: this.config.deadLetterTopic,
      maxRedeliverCount: this.config.maxRedeliverCount,
      nackRedeliveryDelayMs: this.config.nackRedeliveryDelayMs,
      receiveQueueSize: this.config.receiveQueueSize,
      subscriptionType: this.config.subscriptionType,
      // No ack timeout: the worker settles every message itself and holds batches through graph
      // outages; a timeout would redeliver held messages as duplicates and spend their
      // redeliveries. Messages of a crashed worker come back when its connection closes.
    };
    // A bundle (several envelopes in one message) is handled as one message per envelope.
    const bundles: BundleHost = {
      broker: this.broker,
      deadLetterTopic: this.config.deadLetterTopic,
      logger: this.logger,
    };
    try {
      this.subscriptions.push(
        await this.broker.subscribe(
          this.config.entitiesTopic,
          this.config.subscription,
          (message) => {
            for (const item of itemsOf(message, bundles)) this.entities.add(item);
          },
          options,
        ),
      );
      this.subscriptions.push(
        await this.broker.subscribe(
          this.config.movementsTopic,
          this.config.subscription,
          (message) => {
            for (const item of itemsOf(message, bundles)) this.movements.add(item);
          },
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
      `Ingesting ${this.topics.join(' and ')} as "${this.config.subscription}" ` +
        `(${this.config.subscriptionType}, ${this.broker.kind}); dead letters go to ${this.broker.topicName(this.config.deadLetterTopic)}`,
    );
  }

  /**
   * Graceful stop: no new messages; the batches being written on each topic are finished and
   * settled, and batches that had not started yet, and messages held for a missing vertex, are
   * left unsettled, so the broker delivers them again (to another worker, or to this one after a
   * restart). A stop therefore waits for the batches in hand, not for everything the receive
   * queues held; then it detaches.
   *
   * It waits `stopTimeoutMs` at most (`INGEST_STOP_TIMEOUT_MS`): a write can hang far longer
   * (JanusGraph on Cassandra retries for about 30 s a write that meets the locks of a crashed
   * JanusGraph server, and the client tries again). Batches still being written then are left
   * unsettled, for the broker to deliver again, so the worker stops before whoever stopped it
   * loses patience and kills it.
   */
  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.stop();
    // Batches held for a graph outage are left unsettled: the broker delivers them again.
    this.gate.stop();
    // No more holding for missing vertices: what is completed from now on is settled as usual.
    for (const pipeline of this.pipelines) pipeline.stop();
    const finishing = this.finishBatchesInHand();
    if (!(await settlesWithin(finishing, this.stopTimeoutMs))) {
      const given = this.pipelines.reduce((sum, pipeline) => sum + pipeline.abandon(), 0);
      this.logger.warn(
        `Stopping: graph writes of ${given} message(s) were still running after ${seconds(this.stopTimeoutMs)} s ` +
          `(INGEST_STOP_TIMEOUT_MS); they are left unacknowledged and the broker delivers them again ` +
          `(writing a message twice changes nothing in the graph)`,
      );
      await finishing;
    }
    const held = this.pipelines.reduce((sum, pipeline) => sum + pipeline.releaseHeld(), 0);
    if (held > 0) {
      this.logger.log(
        `Stopping: ${held} message(s) held for a missing account or vertex are left unacknowledged; the broker delivers them again`,
      );
    }
    await this.closeSubscriptions();
    if (this.running) {
      this.running = false;
      this.metrics.consuming(this.topics, false);
      this.logger.log(`Ingest stopped: ${JSON.stringify(this.counters)}`);
    }
  }

  /** The stop's wait: the batch in hand of each topic written, every batch handed over complete. */
  private async finishBatchesInHand(): Promise<void> {
    const left = await Promise.all([this.entities.stop(), this.movements.stop()]);
    const unwritten = left[0].length + left[1].length;
    if (unwritten > 0) {
      this.logger.log(
        `Stopping: ${unwritten} message(s) received but not yet written are left unacknowledged; the broker delivers them again`,
      );
    }
    await Promise.all(this.pipelines.map((pipeline) => pipeline.drain()));
  }

  /**
   * Creates the worker's subscription on both topics from their first kept message if it does
   * not exist yet (see `ensureSubscriptionsFromStart`; the seeder's Pulsar sink does the same
   * before it publishes). A topic where that fails is warned about and subscribed anyway.
   */
  private async startFromFirstMessage(): Promise<void> {
    const failures = await ensureSubscriptionsFromStart(
      this.broker,
      [this.config.entitiesTopic, this.config.movementsTopic],
      this.config.subscription,
      this.config.subscriptionType,
    );
    for (const { topic, error } of failures) {
      this.logger.warn(
        `Could not create the subscription "${this.config.subscription}" on ${this.broker.topicName(topic)} ` +
          `from the topic's first message (${errorText(error)}). Subscribing creates it at the end of the topic instead: ` +
          `messages published before this moment are not read. Create it before publishing ` +
          `(pulsar-admin topics create-subscription -s ${this.config.subscription} -m earliest <topic>; if it exists already: ` +
          `pulsar-admin topics reset-cursor <topic> -s ${this.config.subscription} -m earliest), or give the worker a token that may.`,
      );
    }
  }

  /**
   * Creates the replay subscription on the dead-letter topic (from its first message) if it
   * does not exist, so Pulsar keeps every dead letter until `replay-dlq` has handled it.
   */
  private async keepDeadLetters(): Promise<void> {
    try {
      await this.broker.ensureSubscription(
        this.config.deadLetterTopic,
        DLQ_REPLAY_SUBSCRIPTION,
        'earliest',
      );
    } catch (error: unknown) {
      this.logger.warn(
        `Could not create the subscription "${DLQ_REPLAY_SUBSCRIPTION}" on ${this.config.deadLetterTopic} ` +
          `(${errorText(error)}); dead letters are still written, and replay-dlq creates it when it runs`,
      );
    }
  }

  /**
   * A flush that failed outside the steps that handle failures (a bug): every message it did
   * not settle is nacked, so nothing stays unsettled.
   */
  private async releaseFailed(
    kind: string,
    topic: string,
    error: unknown,
    batch: readonly ReceivedMessage[],
  ): Promise<void> {
    this.metrics.batchFailed(topic);
    const unsettled = batch.filter((message) => !message.settled);
    this.logger.error({
      msg: `A batch of ${batch.length} message(s) from the ${kind} topic failed unexpectedly (${errorText(error)}); ${unsettled.length} unsettled message(s) are negatively acknowledged and will be delivered again`,
      correlationId: batch[0]?.messageId,
    });
    await Promise.all(
      unsettled.map((message) =>
        message.nack().then(
          () => {
            this.counterValues.retried += 1;
            this.metrics.settled(topic, 'retried');
          },
          (nackError: unknown) => {
            this.logger.error({
              msg: `could not nack the message (the broker delivers it again): ${errorText(nackError)}`,
              correlationId: message.messageId,
            });
          },
        ),
      ),
    );
  }

  private outageFailed(state: Readonly<OutageState>, retryInMs: number): void {
    this.counterValues.outageRetries += 1;
    this.metrics.outageRetried();
    if (state.failures === 1) {
      this.metrics.graphOutage(true);
      this.logger.warn(
        `The graph store cannot take writes (${state.reason}). Ingest is paused: ${state.heldMessages} message(s) are held ` +
          `and will be written when it takes writes again; nothing is dead-lettered meanwhile. Next try in ${retryInMs} ms.`,
      );
    } else {
      this.logger.warn(
        `The graph store still cannot take writes after ${seconds(this.clock.now() - state.since)} s (${state.reason}); ` +
          `${state.heldMessages} message(s) held; next try in ${retryInMs} ms.`,
      );
    }
  }

  private outageRecovered(downMs: number, state: Readonly<OutageState>): void {
    this.metrics.graphOutage(false);
    this.logger.log(
      `The graph store takes writes again after ${seconds(downMs)} s (${state.failures} failed tries); ingest resumes.`,
    );
  }

  private async closeSubscriptions(): Promise<void> {
    const subscriptions = this.subscriptions.splice(0);
    await Promise.all(subscriptions.map((s) => s.close()));
  }
}
