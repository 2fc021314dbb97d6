import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionDrain } from './connection-drain';

describe('ConnectionDrain', () => {
  it('closes, after the grace period, a connection whose answer never comes, so the server stops', async () => {
    // A handler that never answers: without the grace timer, server.close() would wait forever.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const ended = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/' }, () => resolve('answered'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    // Wait until the server holds the request.
    await new Promise<void>((resolve) => server.once('request', () => resolve()));

    const drain = new ConnectionDrain(server, 50);
    drain.begin();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    expect(drain.isDraining).toBe(true);
    await stopped;
    expect(await ended).toBe('ECONNRESET');
  });
});
