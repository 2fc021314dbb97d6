import { join } from 'node:path';
import type { GraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import { PulsarWebSocketBroker } from '@app/streaming';
import type { JanusGraphEndpoint, PulsarEndpoint } from '../services/with-services';
import { openJanusGraphStore } from '../janusgraph-store';
import {
  firstTimestampOf,
  PlannedMessage,
  PoisonMessage,
  TopicRole,
  validLoad,
  ValidLoad,
} from './dataset';
import { IngestProcess, REPO_ROOT } from './ingest-process';
import { PulsarAdmin } from './pulsar-admin';
import { TcpProxy } from './tcp-proxy';
import { deadLettersOf, DeadLetter, EVERYTHING_SETTLED, faultReport, FaultReport } from './verify';
import { freePort, waitFor } from './wait';

/** Messages sent to Pulsar per publish call. */
const PUBLISH_CHUNK = 250;
/** A topic read is over when no message arrived for this long. */
const READ_IDLE_MS = 3_000;

/**
 * Worker settings for a fault test: a redelivery budget far shorter than the fault (5 deliveries,
 * 1 s apart). A store fault must not spend it: a valid message that did would reach the
 * dead-letter topic, and the test's report would show it.
 */
export const SHORT_REDELIVERY: Readonly<Record<string, string>> = {
  PULSAR_MAX_REDELIVER_COUNT: '5',
  PULSAR_NACK_REDELIVERY_DELAY_MS: '1000',
};

export interface FaultScenarioOptions {
  /** Short name of the test ("kill"), part of every id and topic name. */
  name: string;
  janusgraph: JanusGraphEndpoint;
  pulsar: PulsarEndpoint;
  /** Settings given to every worker on top of the scenario's (redelivery budget, waits). */
  workerSettings?: Readonly<Record<string, string>>;
}

/** Host and port a worker is told JanusGraph is at (the real one, or a proxy). */
export interface GraphAddress {
  host: string;
  port: number;
}

/**
 * One fault-injection run: unique topics and subscription, ingest workers as child processes
 * configured through their environment, a publisher, and the means to check the outcome.
 *
 * The test itself talks to JanusGraph directly (never through a proxy it cuts) and to Pulsar
 * with its own WebSocket client. Close it in `afterAll`: it kills the workers it started.
 */
export class FaultScenario {
  /** Prefix of every id and topic of this run. */
  readonly run: string;
  /** Short topic names and the subscription the workers share. */
  readonly topics: {
    entities: string;
    movements: string;
    alerts: string;
    deadLetter: string;
    subscription: string;
  };
  private readonly admin: PulsarAdmin;
  private readonly workers: IngestProcess[] = [];
  private readonly proxies: TcpProxy[] = [];
  private readonly published: Record<TopicRole, number> = { entities: 0, movements: 0 };
  private started = 0;

  private constructor(
    private readonly options: FaultScenarioOptions,
    readonly store: GraphStore,
    private readonly closeStore: () => Promise<void>,
    readonly broker: PulsarWebSocketBroker,
    readonly startedAt: number,
  ) {
    this.run = `ft-${options.name}-${startedAt.toString(36)}-${process.pid}`;
    this.topics = {
      entities: `${this.run}-entities`,
      movements: `${this.run}-movements`,
      alerts: `${this.run}-alerts`,
      deadLetter: `${this.run}-dlq`,
      subscription: `${this.run}-ingest`,
    };
    const { tenant, namespace, authToken } = loadAllSettings().streaming;
    this.admin = new PulsarAdmin(options.pulsar.webUrl, tenant, namespace, authToken);
  }

  /** Opens the test's own store (schema bootstrapped) and Pulsar client. */
  static async open(options: FaultScenarioOptions): Promise<FaultScenario> {
    const { tenant, namespace, authToken, publishRetryMs } = loadAllSettings().streaming;
    const opened = await openJanusGraphStore(options.janusgraph);
    const broker = new PulsarWebSocketBroker({
      webUrl: options.pulsar.webUrl,
      tenant,
      namespace,
      authToken,
      // As the apps publish: a broker restart is waited out (PULSAR_PUBLISH_RETRY_MS).
      publishRetryMs,
    });
    return new FaultScenario(options, opened.store, () => opened.close(), broker, Date.now());
  }

  /** JanusGraph as the test found it. */
  get janusgraph(): GraphAddress {
    return { host: this.options.janusgraph.host, port: this.options.janusgraph.port };
  }

  /** A TCP proxy to JanusGraph that the test can cut; closed with the scenario. */
  async proxyToJanusGraph(): Promise<TcpProxy> {
    const proxy = await TcpProxy.start(this.janusgraph);
    this.proxies.push(proxy);
    return proxy;
  }

  /** This run's valid load: `accounts` accounts and `movements` movements between them. */
  validLoad(sizes: { accounts: number; movements: number }): ValidLoad {
    return validLoad(this.run, { ...sizes, firstTimestamp: firstTimestampOf(this.startedAt) });
  }

  /**
   * Starts a worker (on `graph`: the real JanusGraph unless given), publishes the accounts of
   * `load` and waits until they are written: where a test of a store fault begins.
   */
  async startWithAccounts(
    load: ValidLoad,
    timeoutMs: number,
    graph: GraphAddress = this.janusgraph,
  ): Promise<IngestProcess> {
    const worker = await this.startWorker(graph);
    await this.publish(load.accountMessages);
    await this.waitUntilSettled('entities', load.accountMessages.length, timeoutMs);
    return worker;
  }

  /**
   * Starts one more ingest worker, talking to JanusGraph at `graph` (default: directly), and
   * waits until its /health/ready answers 200 (subscribed, store reachable).
   */
  async startWorker(graph: GraphAddress = this.janusgraph): Promise<IngestProcess> {
    this.started += 1;
    const name = `worker-${this.started}`;
    const httpPort = await freePort();
    const worker = await IngestProcess.start({
      name,
      httpPort,
      env: this.workerEnv(graph, httpPort),
      logFile: join(REPO_ROOT, '.services', 'faults', this.run, `${name}.log`),
    });
    this.workers.push(worker);
    return worker;
  }

  /** Publishes in order, in chunks of `chunkSize`; counts what Pulsar has stored per topic. */
  async publish(messages: readonly PlannedMessage[], chunkSize = PUBLISH_CHUNK): Promise<void> {
    let index = 0;
    while (index < messages.length) {
      const topic = messages[index].topic;
      const chunk: PlannedMessage[] = [];
      while (
        index < messages.length &&
        messages[index].topic === topic &&
        chunk.length < chunkSize
      ) {
        chunk.push(messages[index]);
        index += 1;
      }
      await this.broker.publish(
        this.topicOf(topic),
        chunk.map((m) => m.message),
      );
      this.published[topic] += chunk.length;
    }
  }

  /** Messages of a topic the workers have settled so far (acknowledged or dead-lettered). */
  async settledCount(topic: TopicRole): Promise<number> {
    const state = await this.admin.subscription(this.topicOf(topic), this.topics.subscription);
    return state ? this.published[topic] - state.backlog : 0;
  }

  /** Waits until at least `count` messages of `topic` are settled. */
  async waitUntilSettled(topic: TopicRole, count: number, timeoutMs: number): Promise<void> {
    let last = 0;
    await waitFor(
      async () => {
        last = await this.settledCount(topic);
        return last >= count;
      },
      `${count} settled messages on the ${topic} topic`,
      timeoutMs,
      () => `${last} of ${this.published[topic]} published`,
    );
  }

  /**
   * Waits until nothing is left unsettled on either topic. Resolves to `EVERYTHING_SETTLED`, or,
   * when `timeoutMs` passes first, to a description of the backlog left (the report shows it
   * beside the other problems instead of failing alone).
   */
  async waitUntilEverythingSettled(timeoutMs: number): Promise<string> {
    let last = '';
    try {
      await waitFor(
        async () => {
          const states = await Promise.all(
            (['entities', 'movements'] as const).map(async (topic) => ({
              topic,
              state: await this.admin.subscription(this.topicOf(topic), this.topics.subscription),
            })),
          );
          last = states
            .map(({ topic, state }) =>
              state
                ? `${topic}: ${state.backlog} unsettled of ${this.published[topic]}, ${state.consumers} consumer(s) with ${state.inFlight} in flight and ${state.permits} permits`
                : `${topic}: no subscription`,
            )
            .join('; ');
          return states.every(({ state }) => state !== undefined && state.backlog === 0);
        },
        'every message to be settled',
        timeoutMs,
      );
      return EVERYTHING_SETTLED;
    } catch {
      return `not settled after ${timeoutMs} ms: ${last}`;
    }
  }

  /** Every message of the dead-letter topic (from its start). */
  async deadLetters(): Promise<DeadLetter[]> {
    return deadLettersOf(
      await this.broker.readAll(this.topics.deadLetter, { idleMs: READ_IDLE_MS }),
    );
  }

  /**
   * Compares the graph and the dead-letter topic with what was sent (`deadLetters` when the
   * test has read them already).
   */
  async report(
    load: ValidLoad,
    poison: readonly PoisonMessage[],
    settled: string,
    deadLetters?: readonly DeadLetter[],
  ): Promise<FaultReport> {
    return faultReport({
      store: this.store,
      run: this.run,
      load,
      poison,
      deadLetters: deadLetters ?? (await this.deadLetters()),
      settled,
    });
  }

  /** Kills every worker still running, closes proxies and clients. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill()));
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
    await this.broker.close();
    await this.closeStore();
  }

  private topicOf(role: TopicRole): string {
    return role === 'entities' ? this.topics.entities : this.topics.movements;
  }

  /**
   * The child's whole environment: the real services the test found, this run's topics, a free
   * HTTP port for its probes, and the scenario's own settings. Nothing is inherited.
   */
  private workerEnv(graph: GraphAddress, httpPort: number): Record<string, string> {
    const settings = loadAllSettings();
    const env: Record<string, string> = {
      TZ: 'UTC',
      LOG_LEVEL: 'info',
      GRAPH_BACKEND: 'janusgraph',
      JANUSGRAPH_HOST: graph.host,
      JANUSGRAPH_PORT: String(graph.port),
      JANUSGRAPH_TLS: String(settings.graph.tls),
      JANUSGRAPH_TLS_REJECT_UNAUTHORIZED: String(settings.graph.tlsRejectUnauthorized),
      JANUSGRAPH_TRAVERSAL_SOURCE: settings.graph.traversalSource,
      STREAMING_BACKEND: 'pulsar',
      PULSAR_TRANSPORT: 'websocket',
      PULSAR_WEB_URL: this.options.pulsar.webUrl,
      PULSAR_SERVICE_URL: settings.streaming.serviceUrl,
      PULSAR_TENANT: settings.streaming.tenant,
      PULSAR_NAMESPACE: settings.streaming.namespace,
      PULSAR_TOPIC_ENTITIES: this.topics.entities,
      PULSAR_TOPIC_MOVEMENTS: this.topics.movements,
      PULSAR_TOPIC_ALERTS: this.topics.alerts,
      PULSAR_DEAD_LETTER_TOPIC: this.topics.deadLetter,
      PULSAR_SUBSCRIPTION: this.topics.subscription,
      INGEST_HTTP_HOST: '127.0.0.1',
      INGEST_HTTP_PORT: String(httpPort),
    };
    if (settings.graph.username !== undefined) env.JANUSGRAPH_USERNAME = settings.graph.username;
    if (settings.graph.password !== undefined) env.JANUSGRAPH_PASSWORD = settings.graph.password;
    if (settings.streaming.authToken !== undefined)
      env.PULSAR_AUTH_TOKEN = settings.streaming.authToken;
    return { ...env, ...this.options.workerSettings };
  }
}
