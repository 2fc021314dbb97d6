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
    options?: { precise?: boolean; signal?: AbortSignal },
  ): Promise<SubscriptionBacklogSeen | undefined>;
  /** Unloads the topic (see `PulsarWebSocketBroker.unloadTopic`); undefined when done, else why not. */
  unloadTopic?(topic: ResolvedTopic, signal?: AbortSignal): Promise<string | undefined>;
  /** Rewinds the subscription (see `PulsarWebSocketBroker.rewindSubscription`). */
  rewindSubscription?(
    topic: ResolvedTopic,
    subscription: string,
    signal?: AbortSignal,
  ): Promise<string | undefined>;
  headers(): Record<string, string>;
  backoff(): ExponentialBackoff<unknown>;
  /** Publishes dead letters (the adapter's own dead-lettering). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]>;
  /** Called when the consumer closes. */
  forget(consumer: WsConsumer): void;
}

/** What the stall check reads of a subscription: messages waiting, and in flight to consumers. */
export interface SubscriptionBacklogSeen {
  waiting: number;
  inFlight: number;
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
 * consumer says so in a warning and reconnects, and a fresh consumer gets the backlog.
 *
 * Reconnecting was not always enough (seen in CI on a Key_Shared subscription after a crash
 * recovery that took 75 s): the broker's dispatcher of the subscription stayed stuck whoever
 * connected. So the stalls found check after check, with nothing delivered in between, make a
 * streak, and each step of it goes further, after asking Pulsar again for the exact backlog
 * (`getPreciseBacklog`; the plain count is an estimate): the second stall unloads the topic
 * (`pulsar-admin topics unload`: the broker reopens it from what it stored, with fresh
 * dispatchers; every producer and consumer of the topic reconnects), the third moves the
 * subscription back to its first unacknowledged message (reset-cursor to the mark-delete
 * position, excluded), so that everything after it is delivered again (messages acknowledged
 * one by one after it come twice: at-least-once, and the ingest writes are idempotent); later
 * ones only reconnect, with an error for an operator. A probe that finds the subscription
 * served, or a delivered message, ends the streak; so does a stall that comes long after the
 * last one. Refusals (a token that may not unload) are logged with the command an operator
 * can run instead.
 * A consumer that holds messages (held for a missing account, written during a graph outage)
 * never starts any of it, nor does any consumer while another one of the subscription has
 * messages in flight; an unload or a rewind started by one consumer does disconnect the others
 * for a moment (they reconnect on their own, and their unsettled messages come again).
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
  /** `performance.now()` of the last stall found. */
  private lastStallAt = 0;
  /** True once the current stall streak rewound the subscription (once per streak). */
  private rewound = false;

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
    const socket = this.socket;
    // Still quiet, still the same connection, still nothing held.
    const stillQuiet = (): boolean =>
      socket === this.socket &&
      this.unsettled === 0 &&
      this.quietFor() >= quiet &&
      this.state === 'connected' &&
      !this.stopped;
    const stalled = (
      backlog: SubscriptionBacklogSeen | undefined,
    ): backlog is SubscriptionBacklogSeen =>
      backlog !== undefined && backlog.waiting > 0 && backlog.inFlight === 0;
    try {
      const backlog = await probe(this.resolved, this.name, { signal: this.abort.signal });
      if (backlog !== undefined && !stalled(backlog)) this.endStallStreak();
      if (!stalled(backlog) || !stillQuiet()) return;
      // A streak is stalls found check after check; one that ended long ago does not count.
      if (performance.now() - this.lastStallAt > 4 * quiet) this.stallsInARow = 0;
      this.stallsInARow += 1;
      this.lastStallAt = performance.now();
      const held = `Pulsar holds ${backlog.waiting} message(s) for ${this.topic} / ${this.name} but delivered none for ${Math.round(this.quietFor() / 1000)} s, and none is in flight to any consumer`;
      const step = this.nextStallStep();
      if (step === 'reconnect') {
        this.logger.warn(
          `${held}: reconnecting the consumer so that Pulsar serves the subscription again`,
        );
        socket.terminate();
        return;
      }
      // Before anything that disturbs other consumers: ask again, with the exact count.
      const confirmed = await probe(this.resolved, this.name, {
        precise: true,
        signal: this.abort.signal,
      });
      if (!stalled(confirmed)) {
        if (confirmed !== undefined) this.endStallStreak();
        return;
      }
      if (!stillQuiet()) return;
      if (step === 'unload') await this.unload(held);
      else if (step === 'rewind') await this.rewind(held);
      else {
        this.logger.error(
          `${held}, after a reconnection, an unload of the topic and a rewind of the subscription: the consumer keeps reconnecting. Look at the broker's log and at "pulsar-admin topics stats-internal ${this.topic}"; restarting the broker may help`,
        );
      }
      // Messages may have come while Pulsar worked: then the connection serves again.
      if (stillQuiet()) socket.terminate();
    } finally {
      this.checkingStall = false;
    }
  }

  /** What the current stall streak calls for (see the class comment). */
  private nextStallStep(): 'reconnect' | 'unload' | 'rewind' | 'report' {
    if (this.stallsInARow <= 1) return 'reconnect';
    if (this.stallsInARow === 2 && this.broker.unloadTopic !== undefined) return 'unload';
    if (!this.rewound && this.broker.rewindSubscription !== undefined) return 'rewind';
    return 'report';
  }

  private endStallStreak(): void {
    this.stallsInARow = 0;
    this.rewound = false;
  }

  private async unload(held: string): Promise<void> {
    const unload = this.broker.unloadTopic?.bind(this.broker);
    if (unload === undefined) return;
    this.logger.warn(
      `${held}, and a reconnection did not change that: asking Pulsar to unload the topic (what "pulsar-admin topics unload ${this.topic}" does: the broker reopens the topic from what it stored; every producer and consumer of the topic reconnects), then reconnecting`,
    );
    const refused = await unload(this.resolved, this.abort.signal);
    if (refused !== undefined && !this.stopped) {
      this.logger.error(
        `Could not unload ${this.topic} to unblock the subscription ${this.name}: ${refused}. Unloading needs an admin of the tenant: an operator can run "pulsar-admin topics unload ${this.topic}". The consumer keeps reconnecting meanwhile`,
      );
    }
  }

  private async rewind(held: string): Promise<void> {
    const rewind = this.broker.rewindSubscription?.bind(this.broker);
    if (rewind === undefined) return;
    this.rewound = true;
    this.logger.warn(
      `${held}, and neither a reconnection nor an unload of the topic changed that: moving the subscription back to its first unacknowledged message, so that Pulsar delivers everything after it again (messages acknowledged one by one after it come twice; the ingest writes are idempotent), then reconnecting`,
    );
    const refused = await rewind(this.resolved, this.name, this.abort.signal);
    if (refused !== undefined && !this.stopped) {
      this.logger.error(
        `Could not move the subscription ${this.name} of ${this.topic} back: ${refused}. An operator can read its position (markDeletePosition of the cursor ${this.name} in "pulsar-admin topics stats-internal ${this.topic}") and move it there with "pulsar-admin topics reset-cursor ${this.topic} -s ${this.name} -m <markDeletePosition> -e" (messages after it are delivered again). The consumer keeps reconnecting meanwhile`,
      );
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
    this.endStallStreak();
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
