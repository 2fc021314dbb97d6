import type { NestExpressApplication } from '@nestjs/platform-express';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { bootApi } from './boot-api';

// What one client can hold of the HTTP server (outside load review: connections that send
// nothing, or stop reading, were kept for good, as many as a client opened).

/** A raw TCP connection to the API, once it is established. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends on `socket` until it closes the connection. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(text));
  });
}

const GET_LIVE = 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

describe('HTTP connection limits (e2e, embedded store)', () => {
  let app: NestExpressApplication | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await app?.close();
    app = undefined;
  });

  async function listen(settings: {
    maxConnectionsPerAddress: number;
    idleTimeoutSeconds: number;
    trustProxyHops?: number;
  }): Promise<number> {
    app = await bootApi({ app: settings });
    await app.listen(0, '127.0.0.1');
    return (app.getHttpServer().address() as AddressInfo).port;
  }

  it('answers a connection beyond the per-address cap with 429 in the error shape and serves again once one closes', async () => {
    const port = await listen({ maxConnectionsPerAddress: 3, idleTimeoutSeconds: 0 });
    for (let i = 0; i < 3; i += 1) sockets.push(await open(port));

    const extra = await open(port);
    sockets.push(extra);
    const refused = readUntilClosed(extra);
    extra.write(GET_LIVE);
    const answer = await refused;
    expect(answer.startsWith('HTTP/1.1 429 ')).toBe(true);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
    expect(body.error).toBe('too_many_connections');
    expect(body.message).toContain('3 open connections');
    expect(typeof body.correlationId).toBe('string');

    const first = sockets[0];
    const closed = new Promise((resolve) => first.once('close', resolve));
    first.destroy();
    await closed;
    const again = await open(port);
    sockets.push(again);
    const served = readUntilClosed(again);
    again.write(GET_LIVE);
    expect((await served).startsWith('HTTP/1.1 200 ')).toBe(true);
  });

  it('does not cap connections per address behind a reverse proxy (TRUST_PROXY_HOPS above 0)', async () => {
    const port = await listen({
      maxConnectionsPerAddress: 2,
      idleTimeoutSeconds: 0,
      trustProxyHops: 1,
    });
    for (let i = 0; i < 3; i += 1) sockets.push(await open(port));
    const answers = sockets.map((socket) => {
      const text = readUntilClosed(socket);
      socket.write(GET_LIVE);
      return text;
    });
    for (const answer of await Promise.all(answers)) {
      expect(answer.startsWith('HTTP/1.1 200 ')).toBe(true);
    }
  });

  it('closes a connection on which nothing is sent or received for HTTP_IDLE_TIMEOUT_SECONDS', async () => {
    const port = await listen({ maxConnectionsPerAddress: 0, idleTimeoutSeconds: 1 });
    const silent = await open(port);
    sockets.push(silent);
    const ended = readUntilClosed(silent);
    // The server closes it (the test's own timeout is the bound): nothing was ever answered.
    expect(await ended).toBe('');
    expect(silent.destroyed).toBe(true);
  });
});
