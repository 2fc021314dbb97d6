import { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { closeSocket, openSocket, sendFrame } from './websocket-open';

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
