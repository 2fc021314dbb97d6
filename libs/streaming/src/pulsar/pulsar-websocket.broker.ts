import { ExponentialBackoff, handleWhen, IPolicy, retry } from 'cockatiel';
import WebSocket from 'ws';
import { StreamUnavailableError } from '@app/vocabulary';
import {
  BrokerMessage,
  MessageBroker,
  MessageHandler,
  OutgoingMessage,
  PublishedMessage,
  ReadOptions,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
} from '../message-broker.port';
import {
  clipReason,
  DLQ_PROPERTIES,
  payloadBytes,
  resolveTopic,
  ResolvedTopic,
} from '../topic-names';
import type { BrokerLogger } from '../broker-logger';
import { closeSocket, openSocket, sendFrame, shortUrl, StreamConnectError } from './websocket-open';

export interface ReconnectOptions {
  /** Attempts for one connect or publish before it fails (reconnects of a consumer never stop). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface PulsarWebSocketBrokerOptions {
  /** HTTP URL of the broker (admin + WebSocket), e.g. http://127.0.0.1:8080 */
  webUrl: string;
  tenant: string;
  namespace: string;
  /** JWT sent as `Authorization: Bearer <token>` on every connection. */
  authToken?: string;
  /** Topic `ping()` looks up (a topic this client may use). */
  healthTopic?: string;
  connectTimeoutMs?: number;
  /** How long publish waits for the broker's receipt of one message. */
  sendTimeoutMs?: number;
  reconnect?: Partial<ReconnectOptions>;
  logger?: BrokerLogger;
}

const DEFAULT_RECONNECT: ReconnectOptions = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
};

const silent: BrokerLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function retryable(error: unknown): boolean {
  return error instanceof StreamConnectError && error.retryable;
}

/** A message frame as the WebSocket API pushes it to consumers and readers. */
interface IncomingFrame {
  messageId: string;
  payload: string;
  properties: Record<string, string>;
  publishTime: number;
  redeliveryCount: number;
  key?: string;
}

function parseFrame(text: string): IncomingFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    !isRecord(value) ||
    typeof value.messageId !== 'string' ||
    typeof value.payload !== 'string'
  ) {
    return undefined;
  }
  const publishTime =
    typeof value.publishTime === 'number'
      ? value.publishTime
      : typeof value.publishTime === 'string'
        ? Date.parse(value.publishTime)
        : Number.NaN;
  return {
    messageId: value.messageId,
    payload: value.payload,
    properties: stringRecord(value.properties),
    publishTime: Number.isFinite(publishTime) ? publishTime : 0,
    redeliveryCount: typeof value.redeliveryCount === 'number' ? value.redeliveryCount : 0,
    key: typeof value.key === 'string' && value.key !== '' ? value.key : undefined,
  };
}

interface PendingSend {
  resolve: (messageId: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One producer connection per topic; receipts are matched to sends by `context`. */
class WsProducer {
  private socket?: WebSocket;
  private opening?: Promise<WebSocket>;
  private readonly pending = new Map<string, PendingSend>();
  private counter = 0;

  constructor(
    private readonly url: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly connectTimeoutMs: number,
    private readonly sendTimeoutMs: number,
  ) {}

  private connection(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN)
      return Promise.resolve(this.socket);
    this.opening ??= openSocket({
      url: this.url,
      headers: this.headers,
      timeoutMs: this.connectTimeoutMs,
      onMessage: (text) => this.onReceipt(text),
    })
      .then((socket) => {
        this.socket = socket;
        socket.on('close', () => {
          if (this.socket === socket) this.socket = undefined;
          this.failPending(
            new StreamConnectError(
              `The connection to ${shortUrl(this.url)} closed before Pulsar confirmed the message`,
              true,
            ),
          );
        });
        socket.on('error', () => undefined);
        return socket;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  /** Sends frames; calls `stored(i, id)` for each confirmed one; throws the first failure. */
  async sendAll(
    frames: readonly Record<string, unknown>[],
    stored: (index: number, messageId: string) => void,
  ): Promise<void> {
    const socket = await this.connection();
    const outcomes = await Promise.allSettled(
      frames.map(async (frame, index) => {
        const messageId = await this.sendOne(socket, frame);
        stored(index, messageId);
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private sendOne(socket: WebSocket, frame: Record<string, unknown>): Promise<string> {
    this.counter += 1;
    const context = `c${this.counter}`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(context);
        reject(
          new StreamConnectError(
            `Pulsar did not confirm a message on ${shortUrl(this.url)} within ${this.sendTimeoutMs} ms`,
            true,
          ),
        );
      }, this.sendTimeoutMs);
      timer.unref();
      this.pending.set(context, { resolve, reject, timer });
      sendFrame(socket, { ...frame, context }).catch((error: Error) => {
        const entry = this.pending.get(context);
        if (!entry) return;
        clearTimeout(entry.timer);
        this.pending.delete(context);
        reject(error);
      });
    });
  }

  private onReceipt(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(value) || typeof value.context !== 'string') return;
    const entry = this.pending.get(value.context);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(value.context);
    if (value.result === 'ok' && typeof value.messageId === 'string') {
      entry.resolve(value.messageId);
    } else {
      const detail = typeof value.errorMsg === 'string' ? value.errorMsg : 'no reason given';
      entry.reject(
        new StreamConnectError(
          `Pulsar refused a message on ${shortUrl(this.url)} (${String(value.result)}): ${detail}`,
          false,
        ),
      );
    }
  }

  private failPending(error: Error): void {
    for (const [context, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.pending.delete(context);
      entry.reject(error);
    }
  }

  async close(): Promise<void> {
    const socket = this.socket ?? (await this.opening?.catch(() => undefined));
    this.socket = undefined;
    if (socket) await closeSocket(socket);
    this.failPending(new StreamUnavailableError('The Pulsar producer was closed'));
  }
}

type ConsumerState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** One consumer of a Shared subscription; reconnects with backoff when the connection drops. */
class WsConsumer implements Subscription {
  state: ConsumerState = 'connecting';
  private socket?: WebSocket;
  private generation = 0;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly broker: PulsarWebSocketBroker,
    private readonly resolved: ResolvedTopic,
    readonly name: string,
    private readonly url: string,
    private readonly handler: MessageHandler,
    private readonly options: SubscribeOptions,
    /** True when Pulsar's own dead-lettering is off (maxRedeliverCount 0) and we do it. */
    private readonly clientSideDeadLetter: boolean,
    private readonly logger: BrokerLogger,
  ) {}

  get topic(): string {
    return this.resolved.full;
  }

  /** First connection: bounded attempts; failure is the caller's error. */
  async start(policy: IPolicy): Promise<void> {
    await policy.execute(() => this.connectOnce());
    this.state = 'connected';
  }

  private async connectOnce(): Promise<void> {
    const generation = this.generation + 1;
    const socket = await openSocket({
      url: this.url,
      headers: this.broker.headers(),
      timeoutMs: this.broker.connectTimeoutMs,
      onMessage: (text) => this.onFrame(generation, text),
    });
    if (this.state === 'closed') {
      await closeSocket(socket);
      return;
    }
    this.generation = generation;
    this.socket = socket;
    socket.on('error', () => undefined);
    socket.on('close', (code: number) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.state === 'closed') return;
      this.logger.warn(
        `Lost the Pulsar consumer connection for ${this.topic} / ${this.name} (code ${code}); reconnecting`,
      );
      this.reconnect();
    });
  }

  private reconnect(): void {
    this.state = 'reconnecting';
    const policy = retry(handleWhen(retryable), {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      backoff: this.broker.backoff(),
    });
    policy.onRetry(({ delay }) =>
      this.logger.warn(
        `Pulsar consumer ${this.topic} / ${this.name}: next attempt in ${Math.round(delay)} ms`,
      ),
    );
    policy
      .execute(() => this.connectOnce(), this.abort.signal)
      .then(() => {
        if (this.state !== 'closed') {
          this.state = 'connected';
          this.logger.log(`Reconnected the Pulsar consumer for ${this.topic} / ${this.name}`);
        }
      })
      .catch((error: unknown) => {
        if (this.state === 'closed') return;
        this.state = 'failed';
        this.logger.error(
          `The Pulsar consumer for ${this.topic} / ${this.name} gave up reconnecting: ${describe(error)}`,
        );
      });
  }

  private onFrame(generation: number, text: string): void {
    const frame = parseFrame(text);
    if (!frame) {
      this.logger.warn(`Ignored a frame from Pulsar that is not a message: ${text.slice(0, 200)}`);
      return;
    }
    // After stop(), leave new messages unsettled: the broker redelivers them after close().
    if (this.stopped || this.state === 'closed') return;
    const message = this.received(generation, frame);
    Promise.resolve()
      .then(() => this.handler(message))
      .catch((error: unknown) => {
        if (message.settled) return undefined;
        this.logger.warn(
          `Handler failed for message ${message.messageId} on ${this.topic}; nacking it: ${describe(error)}`,
        );
        return message.nack();
      })
      .catch((error: unknown) =>
        this.logger.error(`Could not nack message ${message.messageId}: ${describe(error)}`),
      );
  }

  private received(generation: number, frame: IncomingFrame): ReceivedMessage {
    const data: BrokerMessage = {
      messageId: frame.messageId,
      topic: this.topic,
      payload: Buffer.from(frame.payload, 'base64'),
      key: frame.key,
      properties: frame.properties,
      publishTime: frame.publishTime,
      redeliveryCount: frame.redeliveryCount,
    };
    let settled = false;
    let settling: Promise<void> | undefined;
    const settle = (action: () => Promise<void>): Promise<void> => {
      if (settled) return Promise.resolve();
      settling ??= action()
        .then(() => {
          settled = true;
        })
        .finally(() => {
          settling = undefined;
        });
      return settling;
    };
    const send = (frameToSend: Record<string, unknown>): Promise<void> => {
      const socket = this.socket;
      if (!socket || generation !== this.generation) {
        return Promise.reject(
          new StreamUnavailableError(
            `Message ${frame.messageId} can no longer be settled: the connection it came on is gone, so Pulsar redelivers it`,
          ),
        );
      }
      return sendFrame(socket, frameToSend);
    };
    const ack = (): Promise<void> => send({ messageId: frame.messageId });
    const deadLetter = async (extra: Record<string, string>): Promise<void> => {
      await this.broker.publish(this.options.deadLetterTopic, [
        {
          payload: data.payload,
          key: data.key,
          properties: {
            ...data.properties,
            [DLQ_PROPERTIES.realTopic]: this.topic,
            [DLQ_PROPERTIES.originMessageId]: data.messageId,
            ...extra,
          },
        },
      ]);
      await ack();
    };
    return {
      ...data,
      get settled(): boolean {
        return settled;
      },
      ack: () => settle(ack),
      nack: () =>
        settle(() =>
          this.clientSideDeadLetter && data.redeliveryCount >= this.options.maxRedeliverCount
            ? deadLetter({})
            : send({ type: 'negativeAcknowledge', messageId: frame.messageId }),
        ),
      deadLetter: (reason: string) =>
        settle(() => deadLetter({ [DLQ_PROPERTIES.reason]: clipReason(reason) })),
    };
  }

  stop(): void {
    this.stopped = true;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopped = true;
    this.abort.abort();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await closeSocket(socket);
    this.broker.forget(this);
  }
}

/**
 * `MessageBroker` over Pulsar's WebSocket API (`/ws/v2/...` on the broker's web port), with
 * the `ws` package. Producers are kept per topic; consumers use Shared subscriptions with
 * Pulsar's own redelivery and dead-letter policy (`maxRedeliverCount`, `deadLetterTopic`,
 * `negativeAckRedeliveryDelay` query parameters). Pulsar refuses `maxRedeliverCount=0`, so with
 * 0 this adapter dead-letters the first nacked message itself (same properties as Pulsar's).
 *
 * Connections are retried with exponential backoff (cockatiel); when the broker cannot be
 * reached the call fails with `StreamUnavailableError` (never a silent fallback). A consumer
 * whose connection drops reconnects on its own, with backoff, until it is closed.
 */
export class PulsarWebSocketBroker extends MessageBroker {
  readonly kind = 'pulsar-websocket' as const;
  readonly connectTimeoutMs: number;

  private readonly wsBase: string;
  private readonly httpBase: string;
  private readonly sendTimeoutMs: number;
  private readonly reconnectOptions: ReconnectOptions;
  private readonly logger: BrokerLogger;
  private readonly producers = new Map<string, WsProducer>();
  private readonly consumers = new Set<WsConsumer>();
  private readonly policy: IPolicy;
  private closed = false;

  constructor(private readonly options: PulsarWebSocketBrokerOptions) {
    super();
    const web = new URL(options.webUrl);
    this.httpBase = `${web.protocol}//${web.host}${web.pathname.replace(/\/$/, '')}`;
    this.wsBase = `${web.protocol === 'https:' ? 'wss:' : 'ws:'}//${web.host}${web.pathname.replace(/\/$/, '')}/ws/v2`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.reconnectOptions = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.logger = options.logger ?? silent;
    this.policy = this.connectPolicy('connect');
  }

  /** Connection state of each consumer, for the health indicator. */
  consumerStates(): { topic: string; subscription: string; state: ConsumerState }[] {
    return [...this.consumers].map((c) => ({
      topic: c.topic,
      subscription: c.name,
      state: c.state,
    }));
  }

  topicName(topic: string): string {
    return this.resolve(topic).full;
  }

  headers(): Record<string, string> {
    return this.options.authToken ? { Authorization: `Bearer ${this.options.authToken}` } : {};
  }

  backoff(): ExponentialBackoff<unknown> {
    return new ExponentialBackoff({
      initialDelay: this.reconnectOptions.initialDelayMs,
      maxDelay: Math.max(this.reconnectOptions.initialDelayMs, this.reconnectOptions.maxDelayMs),
    });
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]> {
    this.assertOpen();
    const resolved = this.resolve(topic);
    if (messages.length === 0) return [];
    const frames = messages.map((message) => {
      const frame: Record<string, unknown> = {
        payload: payloadBytes(message.payload).toString('base64'),
        properties: { ...(message.properties ?? {}) },
      };
      if (message.key !== undefined) frame.key = message.key;
      return frame;
    });
    const ids: (string | undefined)[] = messages.map(() => undefined);
    try {
      await this.policy.execute(() => {
        this.assertOpen();
        const todo = ids.flatMap((id, index) => (id === undefined ? [index] : []));
        return this.producer(resolved).sendAll(
          todo.map((index) => frames[index]),
          (position, messageId) => {
            ids[todo[position]] = messageId;
          },
        );
      });
    } catch (error: unknown) {
      const stored = ids.filter((id) => id !== undefined).length;
      throw new StreamUnavailableError(
        `Could not publish ${messages.length} message(s) to ${resolved.full} (${stored} stored): ${describe(error)}`,
        { topic: resolved.full, stored, total: messages.length },
        { cause: error },
      );
    }
    return ids.map((messageId) => ({ messageId: messageId as string }));
  }

  async subscribe(
    topic: string,
    subscription: string,
    handler: MessageHandler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    this.assertOpen();
    const resolved = this.resolve(topic);
    const clientSide = options.maxRedeliverCount < 1;
    const query = new URLSearchParams({
      subscriptionType: 'Shared',
      receiverQueueSize: String(options.receiveQueueSize ?? 1000),
      negativeAckRedeliveryDelay: String(options.nackRedeliveryDelayMs),
    });
    if (!clientSide) {
      query.set('maxRedeliverCount', String(options.maxRedeliverCount));
      query.set('deadLetterTopic', this.resolve(options.deadLetterTopic).full);
    }
    if ((options.ackTimeoutMs ?? 0) > 0)
      query.set('ackTimeoutMillis', String(options.ackTimeoutMs));
    const url = `${this.wsBase}/consumer/${resolved.path}/${encodeURIComponent(subscription)}?${query.toString()}`;
    const consumer = new WsConsumer(
      this,
      resolved,
      subscription,
      url,
      handler,
      options,
      clientSide,
      this.logger,
    );
    this.consumers.add(consumer);
    try {
      await consumer.start(this.policy);
    } catch (error: unknown) {
      this.consumers.delete(consumer);
      await consumer.close();
      throw new StreamUnavailableError(
        `Could not subscribe to ${resolved.full} as "${subscription}": ${describe(error)}`,
        { topic: resolved.full, subscription },
        { cause: error },
      );
    }
    return consumer;
  }

  async readAll(topic: string, options: ReadOptions): Promise<BrokerMessage[]> {
    this.assertOpen();
    const resolved = this.resolve(topic);
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const query = new URLSearchParams({
      messageId: 'earliest',
      receiverQueueSize: String(Math.min(1000, Math.max(1, max))),
    });
    const url = `${this.wsBase}/reader/${resolved.path}?${query.toString()}`;
    const found: BrokerMessage[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let idle: NodeJS.Timeout | undefined;
    const restartIdle = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(finish, options.idleMs);
    };
    let socket: WebSocket | undefined;
    try {
      socket = await this.policy.execute(() =>
        openSocket({
          url,
          headers: this.headers(),
          timeoutMs: this.connectTimeoutMs,
          onMessage: (text) => {
            const frame = parseFrame(text);
            if (!frame || found.length >= max) return;
            found.push({
              messageId: frame.messageId,
              topic: resolved.full,
              payload: Buffer.from(frame.payload, 'base64'),
              key: frame.key,
              properties: frame.properties,
              publishTime: frame.publishTime,
              redeliveryCount: frame.redeliveryCount,
            });
            if (socket) sendFrame(socket, { messageId: frame.messageId }).catch(() => undefined);
            if (found.length >= max) finish();
            else restartIdle();
          },
        }),
      );
      socket.once('close', finish);
      if (found.length < max) restartIdle();
      await finished;
    } catch (error: unknown) {
      throw new StreamUnavailableError(
        `Could not read ${resolved.full}: ${describe(error)}`,
        { topic: resolved.full },
        { cause: error },
      );
    } finally {
      if (idle) clearTimeout(idle);
      if (socket) await closeSocket(socket);
    }
    return found;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const resolved = this.resolve(this.options.healthTopic ?? 'health-check');
    const url = `${this.httpBase}/lookup/v2/topic/${resolved.path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.headers(),
        signal: AbortSignal.timeout(this.connectTimeoutMs),
      });
    } catch (error: unknown) {
      throw new StreamUnavailableError(
        `Pulsar does not answer at ${this.httpBase}: ${describe(error)}`,
        { url: this.httpBase },
        { cause: error },
      );
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 300);
      throw new StreamUnavailableError(
        `Pulsar answered ${response.status} to a lookup of ${resolved.full}: ${body}`,
        { url: this.httpBase, status: response.status },
      );
    }
    await response.arrayBuffer().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    await Promise.all([...this.producers.values()].map((producer) => producer.close()));
    this.producers.clear();
  }

  /** Called by a consumer when it closes. */
  forget(consumer: WsConsumer): void {
    this.consumers.delete(consumer);
  }

  private connectPolicy(what: string): IPolicy {
    const policy = retry(handleWhen(retryable), {
      maxAttempts: Math.max(0, this.reconnectOptions.maxAttempts - 1),
      backoff: this.backoff(),
    });
    policy.onRetry(({ delay }) => {
      this.logger.warn(`Pulsar ${what} failed; next attempt in ${Math.round(delay)} ms`);
    });
    return policy;
  }

  private producer(resolved: ResolvedTopic): WsProducer {
    let producer = this.producers.get(resolved.full);
    if (!producer) {
      producer = new WsProducer(
        `${this.wsBase}/producer/${resolved.path}`,
        this.headers(),
        this.connectTimeoutMs,
        this.sendTimeoutMs,
      );
      this.producers.set(resolved.full, producer);
    }
    return producer;
  }

  private resolve(topic: string): ResolvedTopic {
    return resolveTopic(topic, this.options.tenant, this.options.namespace);
  }

  private assertOpen(): void {
    if (this.closed) throw new StreamUnavailableError('The Pulsar message broker client is closed');
  }
}
