import { ExponentialBackoff, handleWhen, IPolicy, retry } from 'cockatiel';
import WebSocket from 'ws';
import { StreamUnavailableError } from '@app/vocabulary';
import type { BrokerLogger } from '../broker-logger';
import type {
  MessageHandler,
  OutgoingMessage,
  PublishedMessage,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
} from '../message-broker.port';
import { clipReason, DLQ_PROPERTIES, ResolvedTopic } from '../topic-names';
import {
  brokerMessageOf,
  describe,
  IncomingFrame,
  parseFrame,
  retryable,
} from './websocket-frames';
import { closeSocket, droppedAsDead, openSocket, sendFrame } from './websocket-open';

/** What a consumer needs from the broker that owns it. */
export interface WsConsumerHost {
  readonly connectTimeoutMs: number;
  /** Interval of the connection check (see `OpenSocketOptions.keepAliveMs`). */
  readonly keepAliveMs?: number;
  headers(): Record<string, string>;
  backoff(): ExponentialBackoff<unknown>;
  /** Publishes dead letters (the adapter's own dead-lettering). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]>;
  /** Called when the consumer closes. */
  forget(consumer: WsConsumer): void;
}

export type ConsumerState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** One consumer of a subscription; reconnects with backoff when the connection drops. */
export class WsConsumer implements Subscription {
  state: ConsumerState = 'connecting';
  private socket?: WebSocket;
  private generation = 0;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly broker: WsConsumerHost,
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
      keepAliveMs: this.broker.keepAliveMs,
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
        droppedAsDead(socket)
          ? `The Pulsar consumer connection for ${this.topic} / ${this.name} stopped answering (no reply to two pings, so the network path is gone); reconnecting`
          : `Lost the Pulsar consumer connection for ${this.topic} / ${this.name} (code ${code}); reconnecting`,
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
    const data = brokerMessageOf(this.topic, frame);
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
    const stale = (): boolean => !this.socket || generation !== this.generation;
    const gone = (): StreamUnavailableError =>
      new StreamUnavailableError(
        `Message ${frame.messageId} can no longer be settled: the connection it came on is gone, so Pulsar redelivers it`,
      );
    const send = (frameToSend: Record<string, unknown>): Promise<void> => {
      const socket = this.socket;
      if (!socket || stale()) return Promise.reject(gone());
      return sendFrame(socket, frameToSend);
    };
    const ack = (): Promise<void> => send({ messageId: frame.messageId });
    const deadLetter = async (extra: Record<string, string>): Promise<void> => {
      // Pulsar delivers a stale message again: a dead letter now would be a second one then.
      if (stale()) throw gone();
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
      get stale(): boolean {
        return stale();
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
