import WebSocket from 'ws';
import { StreamUnavailableError } from '@app/vocabulary';
import { parseReceipt } from './websocket-frames';
import { closeSocket, openSocket, sendFrame, shortUrl, StreamConnectError } from './websocket-open';

export interface WsProducerOptions {
  /** `ws://host:port/ws/v2/producer/persistent/tenant/namespace/topic` */
  url: string;
  headers: Readonly<Record<string, string>>;
  connectTimeoutMs: number;
  /** Interval of the connection check (see `OpenSocketOptions.keepAliveMs`). */
  keepAliveMs?: number;
  /** How long one message may wait for the broker's receipt once sent. */
  sendTimeoutMs: number;
  /** Messages sent and not yet confirmed, at most (a window, so the broker's queue never overflows). */
  maxPendingSends: number;
}

interface QueuedSend {
  frame: Record<string, unknown>;
  resolve: (messageId: string) => void;
  reject: (error: Error) => void;
}

interface PendingSend {
  resolve: (messageId: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One producer connection per topic. Frames of every `sendAll` call go into one queue and are
 * written to the socket in that order, up to `maxPendingSends` unconfirmed at a time; each
 * receipt (matched by `context`) frees a place for the next frame. So a caller may start the next
 * `sendAll` before the previous one is confirmed: the broker still stores the frames in the order
 * they were queued, as long as the connection holds. After a lost connection the failed frames
 * are sent again by the caller's retry, possibly after frames queued later (at-least-once).
 */
export class WsProducer {
  private socket?: WebSocket;
  private opening?: Promise<WebSocket>;
  private readonly queue: QueuedSend[] = [];
  private readonly pending = new Map<string, PendingSend>();
  private counter = 0;
  private connecting = false;
  private closed = false;

  constructor(private readonly options: WsProducerOptions) {}

  /**
   * Queues frames behind every frame queued before; calls `stored(i, id)` for each confirmed
   * one; resolves when all are confirmed, or throws the first failure once all are settled.
   */
  async sendAll(
    frames: readonly Record<string, unknown>[],
    stored: (index: number, messageId: string) => void,
  ): Promise<void> {
    const sends = frames.map((frame, index) =>
      new Promise<string>((resolve, reject) => {
        this.queue.push({ frame, resolve, reject });
      }).then((messageId) => stored(index, messageId)),
    );
    this.pump();
    const outcomes = await Promise.allSettled(sends);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket ?? (await this.opening?.catch(() => undefined));
    this.socket = undefined;
    if (socket) await closeSocket(socket);
    const error = new StreamUnavailableError('The Pulsar producer was closed');
    this.failPending(error);
    this.failQueued(error);
  }

  /** Sends queued frames while the window has room, opening the connection first if needed. */
  private pump(): void {
    if (this.connecting || this.queue.length === 0) return;
    if (this.pending.size >= this.options.maxPendingSends) return;
    if (this.closed) {
      this.failQueued(new StreamUnavailableError('The Pulsar producer was closed'));
      return;
    }
    this.connecting = true;
    this.connection().then(
      (socket) => {
        this.connecting = false;
        while (
          this.queue.length > 0 &&
          this.pending.size < this.options.maxPendingSends &&
          socket.readyState === WebSocket.OPEN
        ) {
          this.send(socket, this.queue.shift() as QueuedSend);
        }
      },
      (error: Error) => {
        this.connecting = false;
        this.failQueued(error);
      },
    );
  }

  private send(socket: WebSocket, queued: QueuedSend): void {
    this.counter += 1;
    const context = `c${this.counter}`;
    const timer = setTimeout(() => {
      this.settle(
        context,
        new StreamConnectError(
          `Pulsar did not confirm a message on ${shortUrl(this.options.url)} within ${this.options.sendTimeoutMs} ms`,
          true,
        ),
      );
    }, this.options.sendTimeoutMs);
    timer.unref();
    this.pending.set(context, { resolve: queued.resolve, reject: queued.reject, timer });
    sendFrame(socket, { ...queued.frame, context }).catch((error: Error) =>
      this.settle(context, error),
    );
  }

  /** Settles one sent frame (an id, or the error) and lets the next queued frame go. */
  private settle(context: string, outcome: string | Error): void {
    const entry = this.pending.get(context);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(context);
    if (typeof outcome === 'string') entry.resolve(outcome);
    else entry.reject(outcome);
    this.pump();
  }

  private onReceipt(text: string): void {
    const receipt = parseReceipt(text);
    if (!receipt) return;
    this.settle(
      receipt.context,
      receipt.ok
        ? receipt.messageId
        : new StreamConnectError(
            `Pulsar refused a message on ${shortUrl(this.options.url)} (${receipt.result}): ${receipt.detail}`,
            false,
          ),
    );
  }

  private connection(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      return Promise.resolve(this.socket);
    }
    this.opening ??= openSocket({
      url: this.options.url,
      headers: this.options.headers,
      timeoutMs: this.options.connectTimeoutMs,
      keepAliveMs: this.options.keepAliveMs,
      onMessage: (text) => this.onReceipt(text),
    })
      .then((socket) => {
        this.socket = socket;
        socket.on('close', () => {
          if (this.socket === socket) this.socket = undefined;
          const error = new StreamConnectError(
            `The connection to ${shortUrl(this.options.url)} closed before Pulsar confirmed the message`,
            true,
          );
          // Every caller sees the failure and sends its unconfirmed frames again (its retry).
          this.failPending(error);
          this.failQueued(error);
        });
        socket.on('error', () => undefined);
        return socket;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private failPending(error: Error): void {
    for (const [context, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.pending.delete(context);
      entry.reject(error);
    }
  }

  private failQueued(error: Error): void {
    for (const queued of this.queue.splice(0)) queued.reject(error);
  }
}
