import { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { closeSocket, droppedAsDead, openSocket, sendFrame } from './websocket-open';

describe('sendFrame', () => {
  let server: WebSocketServer;
  let received: string[];
  let port: number;

  beforeEach(async () => {
    received = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => {
      socket.on('message', (data: WebSocket.RawData) => {
        received.push(Buffer.from(data as Buffer).toString('utf8'));
      });
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Resolves once the server has received `count` frames. */
  function receivedAll(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (received.length >= count) resolve();
        else setImmediate(check);
      };
      check();
    });
  }

  async function open(): Promise<WebSocket> {
    return openSocket({
      url: `ws://127.0.0.1:${port}/ws/v2/producer/persistent/public/default/t`,
      headers: {},
      timeoutMs: 5_000,
      onMessage: () => undefined,
    });
  }

  /** Writes the client's TCP connection makes to the server (one per system call). */
  function countClientWrites(): () => number {
    const write = jest.spyOn(Socket.prototype, '_write');
    const writev = jest.spyOn(Socket.prototype, '_writev');
    const toServer = (contexts: unknown[]): number =>
      contexts.filter((context) => context instanceof Socket && context.remotePort === port).length;
    return () => toServer(write.mock.contexts) + toServer(writev.mock.contexts);
  }

  it('writes the frames sent in one event-loop turn together, in order', async () => {
    const socket = await open();
    const writes = countClientWrites();
    const frames = Array.from({ length: 50 }, (_unused, i) => ({ messageId: `m${i}` }));

    await Promise.all(frames.map((frame) => sendFrame(socket, frame)));
    await receivedAll(frames.length);

    expect(writes()).toBe(1);
    expect(received).toEqual(frames.map((frame) => JSON.stringify(frame)));
    await closeSocket(socket);
  });

  it('still sends a frame of a later turn (the connection is not left corked)', async () => {
    const socket = await open();
    await sendFrame(socket, { messageId: 'first' });
    await new Promise((resolve) => setImmediate(resolve));
    await sendFrame(socket, { messageId: 'second' });
    await receivedAll(2);

    expect(received).toEqual(['{"messageId":"first"}', '{"messageId":"second"}']);
    await closeSocket(socket);
  });
});

describe('openSocket: the connection check', () => {
  const servers: WebSocketServer[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  async function listen(autoPong: boolean): Promise<number> {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong });
    servers.push(server);
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  }

  function open(port: number, keepAliveMs: number): Promise<WebSocket> {
    return openSocket({
      url: `ws://127.0.0.1:${port}/ws/v2/consumer/persistent/public/default/t/s`,
      headers: {},
      timeoutMs: 5_000,
      onMessage: () => undefined,
      keepAliveMs,
    });
  }

  function closed(socket: WebSocket): Promise<void> {
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }

  it('drops a connection whose broker stopped answering, and says so', async () => {
    // A server that never answers a ping: the state of a TCP connection whose path is gone.
    const socket = await open(await listen(false), 20);
    await closed(socket);

    expect(socket.readyState).toBe(WebSocket.CLOSED);
    expect(droppedAsDead(socket)).toBe(true);
  });

  it('keeps a connection that answers its pings', async () => {
    const socket = await open(await listen(true), 20);
    let pongs = 0;
    socket.on('pong', () => (pongs += 1));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (pongs >= 5) resolve();
        else setTimeout(check, 10);
      };
      check();
    });

    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(droppedAsDead(socket)).toBe(false);
    await closeSocket(socket);
  });

  it('counts frames from the broker as answers (a busy broker is not dropped)', async () => {
    const port = await listen(false);
    const [server] = servers;
    server.on('connection', (peer) => {
      const timer = setInterval(() => peer.send('{"messageId":"m"}'), 5);
      peer.once('close', () => clearInterval(timer));
    });
    const socket = await open(port, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(socket.readyState).toBe(WebSocket.OPEN);
    await closeSocket(socket);
  });

  it('does not check when keepAliveMs is 0', async () => {
    const port = await listen(false);
    let pings = 0;
    servers[0].on('connection', (peer) => peer.on('ping', () => (pings += 1)));
    const socket = await open(port, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(pings).toBe(0);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    await closeSocket(socket);
  });
});
