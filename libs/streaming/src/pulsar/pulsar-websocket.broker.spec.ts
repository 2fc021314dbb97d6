import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { StreamUnavailableError } from '@app/vocabulary';
import type { BrokerLogger } from '../broker-logger';
import { Inbox } from '../contract';
import { backlogOf, markDeleteOf, PulsarWebSocketBroker } from './pulsar-websocket.broker';

/**
 * A tiny stand-in for Pulsar's WebSocket endpoint, to test what a real broker cannot be made
 * to do on demand: refuse an upgrade, drop a connection, reject a message.
 */
class FakePulsar {
  readonly server: WebSocketServer;
  readonly upgrades: { url: string; authorization?: string }[] = [];
  readonly consumers: WebSocket[] = [];
  readonly frames: unknown[] = [];
  refuse?: { status: number; title: string };
  sendResult: 'ok' | 'send-error:5' = 'ok';
  /** While true, receipts wait until `releaseReceipts()`. */
  holdReceipts = false;
  private readonly held: (() => void)[] = [];
  private next = 0;
  private closed = false;

  constructor() {
    this.server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      verifyClient: (
        info: { req: IncomingMessage },
        done: (
          ok: boolean,
          status?: number,
          message?: string,
          headers?: Record<string, string>,
        ) => void,
      ) => {
        this.upgrades.push({
          url: info.req.url ?? '',
          authorization: info.req.headers.authorization,
        });
        if (this.refuse) done(false, this.refuse.status, this.refuse.title);
        else done(true);
      },
    });
    this.server.on('connection', (socket, request) => {
      const url = request.url ?? '';
      if (url.includes('/consumer/')) this.consumers.push(socket);
      socket.on('message', (data: WebSocket.RawData) => {
        const frame = JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as Record<
          string,
          unknown
        >;
        this.frames.push(frame);
        if (url.includes('/producer/')) {
          this.next += 1;
          const messageId = `id-${this.next}`;
          const receipt = (): void =>
            socket.send(
              JSON.stringify(
                this.sendResult === 'ok'
                  ? { result: 'ok', messageId, context: frame.context }
                  : {
                      result: this.sendResult,
                      errorMsg: 'Topic is terminated',
                      context: frame.context,
                    },
              ),
            );
          if (this.holdReceipts) this.held.push(receipt);
          else receipt();
        }
      });
    });
  }

  listening(): Promise<void> {
    return new Promise((resolve) => {
      if (this.server.address()) resolve();
      else this.server.once('listening', () => resolve());
    });
  }

  get webUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  releaseReceipts(): void {
    this.holdReceipts = false;
    for (const receipt of this.held.splice(0)) receipt();
  }

  push(socket: WebSocket, id: string, text: string, redeliveryCount = 0): void {
    socket.send(
      JSON.stringify({
        messageId: id,
        payload: Buffer.from(text).toString('base64'),
        properties: { p: '1' },
        publishTime: '2025-01-01T00:00:00.000Z',
        redeliveryCount,
        key: 'k',
      }),
    );
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const subscribeOptions = {
  deadLetterTopic: 'dlq',
  maxRedeliverCount: 3,
  nackRedeliveryDelayMs: 250,
};

describe('PulsarWebSocketBroker (against a fake endpoint)', () => {
  let fake: FakePulsar;
  let broker: PulsarWebSocketBroker;

  beforeEach(async () => {
    fake = new FakePulsar();
    await fake.listening();
    broker = new PulsarWebSocketBroker({
      webUrl: fake.webUrl,
      tenant: 'bank',
      namespace: 'ns',
      authToken: 'secret-token',
      reconnect: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    });
  });

  afterEach(async () => {
    await broker.close();
    await fake.close();
  });

  it('subscribes with a Shared subscription, the dead-letter policy and the bearer token', async () => {
    await broker.subscribe('bank.movements', 'graph-ingest', new Inbox().handler, {
      ...subscribeOptions,
      ackTimeoutMs: 5000,
      receiveQueueSize: 42,
    });
    const [upgrade] = fake.upgrades;
    const url = new URL(upgrade.url, 'http://x');
    expect(url.pathname).toBe('/ws/v2/consumer/persistent/bank/ns/bank.movements/graph-ingest');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      subscriptionType: 'Shared',
      receiverQueueSize: '42',
      negativeAckRedeliveryDelay: '250',
      maxRedeliverCount: '3',
      deadLetterTopic: 'persistent://bank/ns/dlq',
      ackTimeoutMillis: '5000',
    });
    expect(upgrade.authorization).toBe('Bearer secret-token');
  });

  it('asks for a Key_Shared subscription when told to', async () => {
    await broker.subscribe('bank.movements', 'graph-ingest', new Inbox().handler, {
      ...subscribeOptions,
      subscriptionType: 'Key_Shared',
    });
    const url = new URL(fake.upgrades[0].url, 'http://x');
    expect(url.searchParams.get('subscriptionType')).toBe('Key_Shared');
  });

  it('sends the next chunk before the receipts of the previous one, in order', async () => {
    const windowed = new PulsarWebSocketBroker({
      webUrl: fake.webUrl,
      tenant: 'bank',
      namespace: 'ns',
      maxPendingSends: 3,
    });
    fake.holdReceipts = true;
    const first = windowed.publish('t', [{ payload: 'a1' }, { payload: 'a2' }]);
    const second = windowed.publish('t', [{ payload: 'b1' }, { payload: 'b2' }]);
    // b1 went out while a1 and a2 were still unconfirmed: chunks are pipelined.
    await until(() => fake.frames.length === 3, 'three frames');
    fake.releaseReceipts();
    await expect(first).resolves.toEqual([{ messageId: 'id-1' }, { messageId: 'id-2' }]);
    await expect(second).resolves.toEqual([{ messageId: 'id-3' }, { messageId: 'id-4' }]);
    const payloads = (fake.frames as { payload: string }[]).map((f) =>
      Buffer.from(f.payload, 'base64').toString(),
    );
    expect(payloads).toEqual(['a1', 'a2', 'b1', 'b2']);
    await windowed.close();
  });

  it('leaves dead-lettering to itself when maxRedeliverCount is 0 (Pulsar refuses 0)', async () => {
    await broker.subscribe('t', 's', new Inbox().handler, {
      ...subscribeOptions,
      maxRedeliverCount: 0,
    });
    const url = new URL(fake.upgrades[0].url, 'http://x');
    expect(url.searchParams.has('maxRedeliverCount')).toBe(false);
    expect(url.searchParams.has('deadLetterTopic')).toBe(false);
  });

  it('turns a refused upgrade into StreamUnavailableError with the reason, without retrying', async () => {
    fake.refuse = { status: 401, title: 'Authentication required' };
    const error: unknown = await broker
      .subscribe('t', 's', new Inbox().handler, subscribeOptions)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamUnavailableError);
    expect((error as Error).message).toMatch(
      /Could not subscribe to persistent:\/\/bank\/ns\/t as "s"/,
    );
    expect((error as Error).message).toMatch(/401/);
    expect(fake.upgrades).toHaveLength(1);
  });

  it('retries an unreachable broker with backoff, then fails with StreamUnavailableError', async () => {
    await fake.close();
    const error: unknown = await broker.publish('t', [{ payload: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamUnavailableError);
    expect((error as Error).message).toMatch(
      /Could not publish 1 message\(s\) to persistent:\/\/bank\/ns\/t \(0 stored\)/,
    );
  });

  describe('with publishRetryMs (PULSAR_PUBLISH_RETRY_MS)', () => {
    const brokerRetryingFor = (publishRetryMs: number): PulsarWebSocketBroker =>
      new PulsarWebSocketBroker({
        webUrl: fake.webUrl,
        tenant: 'bank',
        namespace: 'ns',
        reconnect: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 },
        publishRetryMs,
      });

    it('keeps publishing to a broker that answers 503 for more attempts than maxAttempts, and stores the message once it is back', async () => {
      const patient = brokerRetryingFor(60_000);
      fake.refuse = { status: 503, title: 'Service Unavailable' };
      try {
        const publishing = patient.publish('t', [{ payload: 'kept' }]);
        await until(() => fake.upgrades.length >= 4, 'four refused attempts');
        fake.refuse = undefined;
        await expect(publishing).resolves.toEqual([{ messageId: expect.any(String) as unknown }]);
        const payloads = (fake.frames as { payload?: string }[]).map((f) =>
          Buffer.from(f.payload ?? '', 'base64').toString(),
        );
        expect(payloads).toEqual(['kept']);
      } finally {
        await patient.close();
      }
    });

    it('fails once the time is spent, with the reason', async () => {
      const hasty = brokerRetryingFor(0);
      fake.refuse = { status: 503, title: 'Service Unavailable' };
      try {
        const error: unknown = await hasty
          .publish('t', [{ payload: 'x' }])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StreamUnavailableError);
        expect((error as Error).message).toMatch(/\(0 stored\).*503/);
        expect(fake.upgrades).toHaveLength(1);
      } finally {
        await hasty.close();
      }
    });
  });

  it('surfaces a message Pulsar refuses', async () => {
    fake.sendResult = 'send-error:5';
    await expect(broker.publish('t', [{ payload: 'x' }])).rejects.toThrow(/Topic is terminated/);
  });

  it('sends payloads as base64 with key and properties and returns the ids in order', async () => {
    const ids = await broker.publish('t', [
      { payload: 'hello', key: 'k1', properties: { a: 'b' } },
      { payload: Buffer.from([1, 2]) },
    ]);
    expect(ids).toEqual([{ messageId: 'id-1' }, { messageId: 'id-2' }]);
    const frames = fake.frames as Record<string, unknown>[];
    expect(frames.map(({ context: _context, ...rest }) => rest)).toEqual([
      { payload: Buffer.from('hello').toString('base64'), key: 'k1', properties: { a: 'b' } },
      { payload: Buffer.from([1, 2]).toString('base64'), properties: {} },
    ]);
    // Each send carries its own context, which the receipt echoes.
    expect(new Set(frames.map((f) => typeof f.context === 'string' && f.context)).size).toBe(2);
  });

  it('acks and nacks with the WebSocket frames, and refuses to settle over a lost connection', async () => {
    const inbox = new Inbox(() => 'keep');
    await broker.subscribe('t', 's', inbox.handler, subscribeOptions);
    await until(() => fake.consumers.length === 1, 'the consumer connection');
    fake.push(fake.consumers[0], 'm1', 'one');
    fake.push(fake.consumers[0], 'm2', 'two', 2);
    const [one, two] = await inbox.waitFor(2);
    expect(one.publishTime).toBe(Date.UTC(2025, 0, 1));
    expect(two.redeliveryCount).toBe(2);
    await one.ack();
    await two.nack();
    await until(() => fake.frames.length === 2, 'the ack and nack frames');
    expect(fake.frames).toEqual([
      { messageId: 'm1' },
      { type: 'negativeAcknowledge', messageId: 'm2' },
    ]);

    fake.push(fake.consumers[0], 'm3', 'three');
    const [, , three] = await inbox.waitFor(3);
    expect(three.stale).toBe(false);
    fake.consumers[0].terminate();
    await until(() => fake.consumers.length === 2, 'the reconnection');
    expect(three.stale).toBe(true);
    await expect(three.ack()).rejects.toThrow(/connection it came on is gone/);
    // No dead letter for a stale message: Pulsar delivers it again, which would make a second.
    const framesBefore = fake.frames.length;
    await expect(three.deadLetter('bad')).rejects.toThrow(/connection it came on is gone/);
    expect(fake.frames).toHaveLength(framesBefore);
    expect(three.settled).toBe(false);

    // The new connection delivers again.
    fake.push(fake.consumers[1], 'm3', 'three', 1);
    const [, , , again] = await inbox.waitFor(4);
    await again.ack();
    expect(again.redeliveryCount).toBe(1);
  });
  describe('a subscription Pulsar stopped serving (seen after a broker crash)', () => {
    let stalling: PulsarWebSocketBroker;
    let backlog: { waiting: number; inFlight: number } | undefined;
    let probes: number;

    /** A broker whose consumers check for stalls every 100 ms. */
    const stallChecking = (logger?: BrokerLogger): PulsarWebSocketBroker =>
      new PulsarWebSocketBroker({
        webUrl: fake.webUrl,
        tenant: 'bank',
        namespace: 'ns',
        reconnect: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
        stallCheckMs: 100,
        ...(logger === undefined ? {} : { logger }),
      });

    beforeEach(() => {
      backlog = { waiting: 5, inFlight: 0 };
      probes = 0;
      stalling = stallChecking();
      jest.spyOn(stalling, 'subscriptionBacklog').mockImplementation(() => {
        probes += 1;
        return Promise.resolve(backlog);
      });
    });

    afterEach(async () => {
      await stalling.close();
    });

    const quick = { ...subscribeOptions, nackRedeliveryDelayMs: 10 };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('reconnects a consumer that receives nothing while messages wait and none is in flight, and gets them on the new connection', async () => {
      const inbox = new Inbox(() => 'keep');
      await stalling.subscribe('t', 's', inbox.handler, quick);
      await until(() => fake.consumers.length === 2, 'a second connection after the stall');
      fake.push(fake.consumers[1], 'm1', 'one');
      const [one] = await inbox.waitFor(1);
      await one.ack();
      expect(one.stale).toBe(false);
    });

    /** Records unloads and rewinds instead of asking the fake endpoint. */
    const recordSteps = (broker: PulsarWebSocketBroker, unloadAnswer?: string): string[] => {
      const steps: string[] = [];
      jest.spyOn(broker, 'unloadTopic').mockImplementation((topic) => {
        steps.push(`unload ${topic.full}`);
        return Promise.resolve(unloadAnswer);
      });
      jest.spyOn(broker, 'rewindSubscription').mockImplementation((topic, subscription) => {
        steps.push(`rewind ${topic.full} ${subscription}`);
        return Promise.resolve(undefined);
      });
      return steps;
    };

    it('goes further stall after stall: reconnects, unloads the topic, rewinds the subscription once, then only reconnects; a delivered message ends the streak', async () => {
      const steps = recordSteps(stalling);
      const inbox = new Inbox(() => 'keep');
      await stalling.subscribe('t', 's', inbox.handler, quick);
      await until(() => fake.consumers.length === 2, 'the first reconnection');
      expect(steps).toEqual([]);
      await until(() => fake.consumers.length === 3, 'the second reconnection');
      expect(steps).toEqual(['unload persistent://bank/ns/t']);
      await until(() => fake.consumers.length === 4, 'the third reconnection');
      expect(steps).toEqual(['unload persistent://bank/ns/t', 'rewind persistent://bank/ns/t s']);
      await until(() => fake.consumers.length === 5, 'the fourth reconnection');
      expect(steps).toHaveLength(2);

      // A message arrives on the new connection: the next stall starts a new streak.
      fake.push(fake.consumers[4], 'm1', 'one');
      const [one] = await inbox.waitFor(1);
      await one.ack();
      await until(() => fake.consumers.length === 6, 'the reconnection after the next stall');
      expect(steps).toHaveLength(2);
      await until(() => fake.consumers.length === 7, 'the one after that');
      expect(steps.slice(2)).toEqual(['unload persistent://bank/ns/t']);
    });

    it('ends the streak when a check finds the subscription served, and asks for the exact backlog before it unloads', async () => {
      const steps = recordSteps(stalling);
      const asked: boolean[] = [];
      jest.spyOn(stalling, 'subscriptionBacklog').mockImplementation((_topic, _name, options) => {
        asked.push(options?.precise === true);
        return Promise.resolve(backlog);
      });
      await stalling.subscribe('t', 's', new Inbox(() => 'keep').handler, quick);
      await until(() => fake.consumers.length === 2, 'the first reconnection');
      backlog = { waiting: 5, inFlight: 2 };
      const seen = asked.length;
      await until(() => asked.length >= seen + 2, 'two checks that find it served');
      backlog = { waiting: 5, inFlight: 0 };
      await until(() => fake.consumers.length === 3, 'the reconnection of a new streak');
      expect(steps).toEqual([]);
      expect(asked.every((precise) => !precise)).toBe(true);

      // The exact count says nothing waits: no unload, and the streak ends.
      jest.spyOn(stalling, 'subscriptionBacklog').mockImplementation((_topic, _name, options) => {
        asked.push(options?.precise === true);
        return Promise.resolve(options?.precise === true ? { waiting: 0, inFlight: 0 } : backlog);
      });
      // Each exact count ends its streak: the consumer only ever reconnects.
      await until(() => asked.filter(Boolean).length >= 2, 'two exact counts');
      expect(steps).toEqual([]);
    });

    it('keeps the connection when messages come while Pulsar unloads the topic', async () => {
      let release: (value?: string) => void = () => undefined;
      jest.spyOn(stalling, 'unloadTopic').mockImplementation(
        () =>
          new Promise<string | undefined>((resolve) => {
            release = resolve;
          }),
      );
      const inbox = new Inbox(() => 'keep');
      await stalling.subscribe('t', 's', inbox.handler, quick);
      await until(() => fake.consumers.length === 2, 'the first reconnection');
      await until(() => jest.mocked(stalling.unloadTopic).mock.calls.length === 1, 'the unload');
      fake.push(fake.consumers[1], 'm1', 'one');
      const [one] = await inbox.waitFor(1);
      release(undefined);
      await pause(300);
      expect(fake.consumers).toHaveLength(2);
      expect(one.stale).toBe(false);
      await one.ack();
    });

    it('says what an operator can run when Pulsar refuses to unload the topic, and keeps reconnecting', async () => {
      const errors: string[] = [];
      await stalling.close();
      stalling = stallChecking({
        log: () => undefined,
        warn: () => undefined,
        error: (m) => errors.push(m),
      });
      jest.spyOn(stalling, 'subscriptionBacklog').mockResolvedValue(backlog);
      recordSteps(stalling, 'Pulsar answered 401 Unauthorized');
      await stalling.subscribe('t', 's', new Inbox(() => 'keep').handler, quick);
      await until(() => fake.consumers.length === 3, 'two reconnections');
      expect(errors[0]).toBe(
        'Could not unload persistent://bank/ns/t to unblock the subscription s: Pulsar answered 401 Unauthorized. Unloading needs an admin of the tenant: an operator can run "pulsar-admin topics unload persistent://bank/ns/t". The consumer keeps reconnecting meanwhile',
      );
    });

    it('leaves the consumer alone when nothing waits, when messages are in flight to a consumer, or while it holds a message unsettled', async () => {
      const inbox = new Inbox(() => 'keep');
      backlog = { waiting: 0, inFlight: 0 };
      await stalling.subscribe('t', 's', inbox.handler, quick);
      await until(() => probes >= 2, 'two stall checks');
      backlog = { waiting: 5, inFlight: 3 };
      const seen = probes;
      await until(() => probes >= seen + 2, 'two more stall checks');
      expect(fake.consumers).toHaveLength(1);

      // A message held by the handler (a movement waiting for its account): no check at all.
      backlog = { waiting: 5, inFlight: 0 };
      fake.push(fake.consumers[0], 'm1', 'one');
      const [held] = await inbox.waitFor(1);
      const before = probes;
      await pause(400);
      expect(probes).toBe(before);
      expect(fake.consumers).toHaveLength(1);
      await held.ack();
      await until(() => fake.consumers.length === 2, 'the reconnection once nothing is held');
    });
  });

  it('reads the mark-delete position of a subscription from the internal stats', () => {
    const stats = {
      cursors: { ingest: { markDeletePosition: '105:42' }, fresh: { markDeletePosition: '7:-1' } },
    };
    expect(markDeleteOf(stats, 'ingest')).toEqual({ ledgerId: 105, entryId: 42 });
    expect(markDeleteOf(stats, 'fresh')).toEqual({ ledgerId: 7, entryId: -1 });
    expect(markDeleteOf(stats, 'other')).toBeUndefined();
    expect(
      markDeleteOf({ cursors: { ingest: { markDeletePosition: '105' } } }, 'ingest'),
    ).toBeUndefined();
    expect(
      markDeleteOf({ cursors: { ingest: { markDeletePosition: 'a:b' } } }, 'ingest'),
    ).toBeUndefined();
    expect(
      markDeleteOf({ cursors: { ingest: { markDeletePosition: 5 } } }, 'ingest'),
    ).toBeUndefined();
    expect(markDeleteOf(null, 'ingest')).toBeUndefined();
  });

  it('reads the backlog of a subscription from Pulsar topic stats', () => {
    const stats = {
      subscriptions: {
        ingest: {
          msgBacklog: 90,
          msgDelayed: 10,
          consumers: [{ unackedMessages: 0 }, { unackedMessages: 4 }, {}],
        },
      },
    };
    expect(backlogOf(stats, 'ingest')).toEqual({ waiting: 80, inFlight: 4 });
    expect(backlogOf(stats, 'other')).toBeUndefined();
    expect(backlogOf({ subscriptions: { ingest: { msgBacklog: 'x' } } }, 'ingest')).toEqual({
      waiting: 0,
      inFlight: 0,
    });
    expect(backlogOf(null, 'ingest')).toBeUndefined();
  });
});

describe('PulsarWebSocketBroker.ensureSubscription (against a fake admin API)', () => {
  const CURSOR_RESET_FAILED =
    '{"reason":"Unable to find position for position specified: unable to persist readPosition for cursor reset 105:-1"}';
  let server: Server;
  let requests: string[];
  let bodies: string[];
  /** Answers, in turn, to the reset calls (status codes). */
  let resetAnswers: number[];
  let broker: PulsarWebSocketBroker;

  beforeEach(async () => {
    requests = [];
    bodies = [];
    resetAnswers = [];
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://fake').pathname;
      requests.push(`${request.method ?? ''} ${path}`);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        if (path.endsWith('/resetcursor')) {
          response.writeHead(resetAnswers.shift() ?? 204).end('{"reason":"still busy"}');
        } else {
          response.writeHead(412).end(CURSOR_RESET_FAILED);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    broker = new PulsarWebSocketBroker({
      webUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      tenant: 'bank',
      namespace: 'ns',
      positionRetryMs: 1_500,
    });
  });

  afterEach(async () => {
    await broker.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('moves a subscription Pulsar created but could not position (412) to the start itself, trying again while Pulsar refuses', async () => {
    resetAnswers = [412, 500];
    await broker.ensureSubscription('t', 'ingest', 'earliest');
    const reset = 'POST /admin/v2/persistent/bank/ns/t/subscription/ingest/resetcursor';
    expect(requests).toEqual([
      'PUT /admin/v2/persistent/bank/ns/t/subscription/ingest',
      reset,
      reset,
      reset,
    ]);
    const earliest = { ledgerId: -1, entryId: -1, partitionIndex: -1 };
    expect(bodies.map((body) => JSON.parse(body) as unknown)).toEqual([
      earliest,
      earliest,
      earliest,
      earliest,
    ]);
  });

  it('does not try again when Pulsar refuses the move itself (403)', async () => {
    resetAnswers = [403];
    await expect(broker.ensureSubscription('t', 'ingest', 'earliest')).rejects.toThrow(
      'moving it to the start afterwards failed too for 2 s (Pulsar answered 403',
    );
    expect(requests).toHaveLength(2);
  });

  it('fails with the reasons when the subscription cannot be moved to the start, and says what to do', async () => {
    resetAnswers = Array.from({ length: 100 }, () => 412);
    const error: unknown = await broker
      .ensureSubscription('t', 'ingest', 'earliest')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamUnavailableError);
    expect((error as Error).message).toBe(
      `Could not create the subscription "ingest" on persistent://bank/ns/t at the start of the topic: Pulsar created it but answered 412 ${CURSOR_RESET_FAILED}, and moving it to the start afterwards failed too for 2 s (Pulsar answered 412 {"reason":"still busy"}). It may start at the end of the topic: move it with "pulsar-admin topics reset-cursor persistent://bank/ns/t -s ingest -m earliest" before its consumers read`,
    );
    // Tried again with backoff until the time was spent.
    expect(requests.length).toBeGreaterThan(3);
  });

  it('leaves a 412 for a subscription at the end of the topic as the error it is', async () => {
    await expect(broker.ensureSubscription('t', 'ingest', 'latest')).rejects.toThrow(
      'Could not create the subscription "ingest" on persistent://bank/ns/t: Pulsar answered 412',
    );
    expect(requests).toHaveLength(1);
  });
});
