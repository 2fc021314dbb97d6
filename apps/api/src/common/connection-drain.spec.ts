import express from 'express';
import { Agent, createServer, request } from 'node:http';
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

describe('ConnectionDrain with an answer already under way', () => {
  it('closes the keep-alive connection of an answer whose headers were sent before the drain began', async () => {
    let release: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = express();
    const server = createServer(app);
    const drain = new ConnectionDrain(server, 60_000);
    app.use(drain.middleware);
    app.get('/', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('part one, ');
      // The rest comes once the drain has begun.
      void sent.then(() => response.end('part two'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (): Promise<{ reused: boolean; body: string } | string> =>
      new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ reused: req.reusedSocket, body }));
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        req.end();
      });
    const first = get();
    await new Promise<void>((resolve) => server.once('request', () => resolve()));
    // The headers are out; now the shutdown begins and the answer finishes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    drain.begin();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    release();
    expect(await first).toEqual({ reused: false, body: 'part one, part two' });
    // Its connection was closed after it: the next request is not served on the old connection
    // (refused, or reset if the client tried the closed socket first).
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(await get());
    await stopped;
    agent.destroy();
  });
});
