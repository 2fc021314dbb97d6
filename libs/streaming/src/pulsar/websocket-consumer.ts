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
  /** Quiet time before the stall check asks Pulsar what it holds (0 = no check). */
  readonly stallCheckMs?: number;
  /** What Pulsar holds for the subscription (see `PulsarWebSocketBroker.subscriptionBacklog`). */
  subscriptionBacklog?(
    topic: ResolvedTopic,
    subscription: string,
  ): Promise<{ waiting: number; inFlight: number } | undefined>;
  /** Unloads the topic (see `PulsarWebSocketBroker.unloadTopic`); undefined when done, else why not. */
  unloadTopic?(topic: ResolvedTopic): Promise<string | undefined>;
  /** Rewinds the subscription (see `PulsarWebSocketBroker.rewindSubscription`). */
  rewindSubscription?(topic: ResolvedTopic, subscription: string): Promise<string | undefined>;
  headers(): Record<string, string>;
  backoff(): ExponentialBackoff<unknown>;
  /** Publishes dead letters (the adapter's own dead-lettering). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]>;
  /** Called when the consumer closes. */
  forget(consumer: WsConsumer): void;
}

export type ConsumerState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/**
 * One consumer of a subscription; reconnects with backoff when the connection drops.
 *
 * A subscription Pulsar stopped serving: after a broker crash (SIGKILL) and restart, Pulsar
 * 3.0 was seen to accept the consumer's new connection and then deliver nothing of the
 * subscription's backlog (the messages whose acknowledgements the crash lost) until something
 * new was published to the topic, or for good. The connection itself is healthy (pings are
 * answered), so nothing else notices. So when a consumer has received nothing for
 * `stallCheckMs` (at least three times the nack redelivery delay) and holds no message of its
 * current connection unsettled, it asks Pulsar what the subscription holds; when messages wait
 * and none is in flight to any consumer of the subscription, Pulsar is not serving it: the
 * consumer says so in a warning and reconnects, and a fresh consumer gets the backlog. When
 * that did not help either (the next check finds the same stall and nothing was delivered in
 * between: seen in CI on a Key_Shared subscription after a slow crash recovery), the broker's
 * dispatcher of the subscription is stuck, whoever connects: the consumer asks Pulsar to unload
 * the topic (`pulsar-admin topics unload`), which reopens it from what it stored with fresh
 * dispatchers, and reconnects. If Pulsar refuses (the token may not be allowed to), an error
 * says what an operator can run. Should the stall outlast that too, the state Pulsar stored for
 * the subscription is what holds it: from the third stall in a row on, the consumer moves the
 * subscription back to its first unacknowledged message (`resetcursor` to the mark-delete
 * position), so that everything after it is delivered again (at-least-once: the ingest writes
 * are idempotent), and reconnects.
 * Consumers that hold messages (held for a missing account, written during a graph outage) or
 * other consumers with messages in flight (Key_Shared) are never disturbed by it.
 */
export class WsConsumer implements Subscription {
  state: ConsumerState = 'connecting';
  private socket?: WebSocket;
  private generation = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  /** `performance.now()` of the last frame of the current connection (or of its opening). */
  private lastFrameAt = performance.now();
  /** Messages of the current connection handed to the handler and not settled. */
  private unsettled = 0;
  private stallTimer?: NodeJS.Timeout;
  private checkingStall = false;
  /** Stalls found in a row with no message delivered in between (see the class comment). */
  private stallsInARow = 0;

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
    this.lastFrameAt = performance.now();
    this.unsettled = 0;
    this.watchStalls();
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

  /** Quiet time after which the stall check asks Pulsar (see the class comment); 0 = off. */
  private get stallQuietMs(): number {
    const check = this.broker.stallCheckMs ?? 0;
    if (check <= 0 || this.broker.subscriptionBacklog === undefined) return 0;
    return Math.max(check, 3 * this.options.nackRedeliveryDelayMs);
  }

  private watchStalls(): void {
    const quiet = this.stallQuietMs;
    if (quiet <= 0 || this.stallTimer) return;
    this.stallTimer = setInterval(() => void this.checkStall(quiet), Math.max(1, quiet / 2));
    this.stallTimer.unref();
  }

  private quietFor(): number {
    return performance.now() - this.lastFrameAt;
  }

  private async checkStall(quiet: number): Promise<void> {
    const probe = this.broker.subscriptionBacklog?.bind(this.broker);
    if (probe === undefined || this.checkingStall || this.state !== 'connected' || this.stopped)
      return;
    if (this.socket === undefined || this.unsettled > 0 || this.quietFor() < quiet) return;
    this.checkingStall = true;
    try {
      const socket = this.socket;
      const backlog = await probe(this.resolved, this.name);
      if (backlog === undefined || backlog.waiting === 0 || backlog.inFlight > 0) return;
      // Still quiet, still the same connection, still nothing held: Pulsar is not serving it.
      if (socket !== this.socket || this.unsettled > 0 || this.quietFor() < quiet) return;
      if (this.state !== 'connected' || this.stopped) return;
      this.stallsInARow += 1;
      const held = `Pulsar holds ${backlog.waiting} message(s) for ${this.topic} / ${this.name} but delivered none for ${Math.round(this.quietFor() / 1000)} s, and none is in flight to any consumer`;
      const rewind = this.broker.rewindSubscription?.bind(this.broker);
      if (this.stallsInARow === 1 || this.broker.unloadTopic === undefined) {
        this.logger.warn(
          `${held}: reconnecting the consumer so that Pulsar serves the subscription again`,
        );
      } else if (this.stallsInARow >= 3 && rewind !== undefined) {
        this.logger.warn(
          `${held}, after reconnecting and unloading the topic: moving the subscription back to its first unacknowledged message (as "pulsar-admin topics reset-cursor" does), so that Pulsar delivers everything after it again, then reconnecting`,
        );
        const refused = await rewind(this.resolved, this.name);
        if (refused !== undefined) {
          this.logger.error(
            `Could not move the subscription ${this.name} of ${this.topic} back: ${refused}. The consumer keeps reconnecting; an operator can reset the subscription with "pulsar-admin topics reset-cursor"`,
          );
        }
        if (socket !== this.socket || this.state !== 'connected' || this.stopped) return;
      } else {
        this.logger.warn(
          `${held}, after ${this.stallsInARow - 1} reconnection(s) for it: asking Pulsar to unload the topic (as "pulsar-admin topics unload" does), so that it reopens the topic and its subscriptions from what it stored, then reconnecting`,
        );
        const refused = await this.broker.unloadTopic(this.resolved);
        if (refused !== undefined) {
          this.logger.error(
            `Could not unload ${this.topic} to unblock the subscription ${this.name}: ${refused}. An operator with admin rights can run "pulsar-admin topics unload ${this.topic}"; the consumer keeps reconnecting meanwhile`,
          );
        }
        if (socket !== this.socket || this.state !== 'connected' || this.stopped) return;
      }
      socket.terminate();
    } finally {
      this.checkingStall = false;
    }
  }

  private onFrame(generation: number, text: string): void {
    if (generation === this.generation) this.lastFrameAt = performance.now();
    const frame = parseFrame(text);
    if (!frame) {
      this.logger.warn(`Ignored a frame from Pulsar that is not a message: ${text.slice(0, 200)}`);
      return;
    }
    // After stop(), leave new messages unsettled: the broker redelivers them after close().
    if (this.stopped || this.state === 'closed') return;
    this.stallsInARow = 0;
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
    if (generation === this.generation) this.unsettled += 1;
    const settle = (action: () => Promise<void>): Promise<void> => {
      if (settled) return Promise.resolve();
      settling ??= action()
        .then(() => {
          settled = true;
          if (generation === this.generation) this.unsettled -= 1;
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
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await closeSocket(socket);
    this.broker.forget(this);
  }
}
