import { connect, createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TcpProxy } from './tcp-proxy';

/** An echo server on a free port of 127.0.0.1. */
async function echoServer(): Promise<Server> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return server;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function echo(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data: Buffer) => resolve(data.toString('utf8')));
    socket.write(text);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('TcpProxy', () => {
  let server: Server;
  let proxy: TcpProxy;

  beforeEach(async () => {
    server = await echoServer();
    proxy = await TcpProxy.start({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
    });
  });

  afterEach(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('forwards bytes both ways', async () => {
    const socket = await open(proxy.port);
    await expect(echo(socket, 'ping')).resolves.toBe('ping');
    expect(proxy.openConnections).toBe(2);
    socket.destroy();
  });

  it('drops open connections and refuses new ones while cut, then serves on the same port again', async () => {
    const port = proxy.port;
    const before = await open(port);
    await echo(before, 'ping');

    await proxy.cut();
    await closed(before);
    expect(proxy.isCut).toBe(true);
    expect(proxy.openConnections).toBe(0);
    await expect(open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.restore();
    expect(proxy.port).toBe(port);
    const after = await open(port);
    await expect(echo(after, 'pong')).resolves.toBe('pong');
    after.destroy();
  });
});
