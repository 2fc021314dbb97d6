import { AddressInfo } from 'node:net';
import { process as gremlinProcess, structure } from 'gremlin';
import WebSocket, { WebSocketServer } from 'ws';
import {
  ConnectionClosedError,
  GRAPHSON_V3,
  GremlinResponseError,
  WsGremlinConnection,
} from './gremlin-connection';

interface ReceivedRequest {
  requestId: { '@value': string };
  op: string;
  processor: string;
  args: Record<string, unknown>;
}

type Reply = (request: ReceivedRequest, socket: WebSocket) => void;

/** A tiny stand-in for Gremlin Server's WebSocket protocol (GraphSON v3 frames). */
async function fakeServer(reply: Reply): Promise<{
  url: string;
  requests: ReceivedRequest[];
  onConnection: (listener: () => void) => void;
  stop: () => Promise<void>;
}> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const requests: ReceivedRequest[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const mimeLength = data[0];
      expect(data.subarray(1, 1 + mimeLength).toString()).toBe(GRAPHSON_V3);
      const request = JSON.parse(data.subarray(1 + mimeLength).toString()) as ReceivedRequest;
      requests.push(request);
      reply(request, socket);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/gremlin`,
    requests,
    onConnection: (listener) => server.on('connection', listener),
    stop: () =>
      new Promise<void>((resolve) => {
        server.clients.forEach((client) => client.terminate());
        server.close(() => resolve());
      }),
  };
}

function respond(
  socket: WebSocket,
  request: ReceivedRequest,
  code: number,
  data: unknown[] = [],
  message = '',
): void {
  socket.send(
    JSON.stringify({
      requestId: request.requestId['@value'],
      status: {
        code,
        message,
        attributes: {
          '@type': 'g:Map',
          '@value': [
            'exceptions',
            { '@type': 'g:List', '@value': ['java.lang.IllegalStateException'] },
          ],
        },
      },
      result: {
        data: { '@type': 'g:List', '@value': data },
        meta: { '@type': 'g:Map', '@value': [] },
      },
    }),
  );
}

/** Polls `condition` every 5 ms, for at most 2 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2_000) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const int = (value: number) => ({ '@type': 'g:Int32', '@value': value });
const options = { traversalSource: 'g', rejectUnauthorized: true };
const g = new gremlinProcess.GraphTraversalSource(
  new structure.Graph(),
  new gremlinProcess.TraversalStrategies(),
);

describe('WsGremlinConnection', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  it('sends bytecode with the alias and timeout, and joins partial answers (206) with the final one', async () => {
    const server = await fakeServer((request, socket) => {
      respond(socket, request, 206, [int(1), int(2)]);
      respond(socket, request, 200, [int(3)]);
    });
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, options);
    await expect(
      connection.submit(g.V().count().getBytecode(), undefined, { evaluationTimeout: 777 }),
    ).resolves.toEqual([1, 2, 3]);
    expect(server.requests[0]).toMatchObject({
      op: 'bytecode',
      processor: 'traversal',
      args: { aliases: { g: 'g' }, evaluationTimeout: 777 },
    });
    await connection.close();
  });

  it('discard fails the pending request at once and the next request opens a new socket', async () => {
    let connections = 0;
    const server = await fakeServer((request, socket) => {
      // The first socket goes silent (a dead path); later ones answer.
      if (server.requests.length > 1) respond(socket, request, 200, [int(5)]);
    });
    server.onConnection(() => (connections += 1));
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, options);
    const silent = connection.submit('x', undefined, { evaluationTimeout: 10 });
    await waitFor(() => server.requests.length === 1);
    connection.discard();
    await expect(silent).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(connection.isOpen).toBe(false);
    await expect(connection.submit('x', undefined, { evaluationTimeout: 10 })).resolves.toEqual([
      5,
    ]);
    expect(connections).toBe(2);
    await connection.close();
  });

  it('sends scripts as eval with bindings and answers [] for no content (204)', async () => {
    const server = await fakeServer((request, socket) => respond(socket, request, 204));
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, options);
    await expect(connection.submit('x + 1', { x: 1 }, { evaluationTimeout: 10 })).resolves.toEqual(
      [],
    );
    expect(server.requests[0]).toMatchObject({
      op: 'eval',
      processor: '',
      args: { gremlin: 'x + 1', language: 'gremlin-groovy' },
    });
    await connection.close();
  });

  it('turns an error status into a GremlinResponseError with the status code and exception names', async () => {
    const server = await fakeServer((request, socket) =>
      respond(socket, request, 597, [], 'bad traversal'),
    );
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, options);
    const error = await connection
      .submit('boom', undefined, { evaluationTimeout: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GremlinResponseError);
    expect((error as GremlinResponseError).statusCode).toBe(597);
    expect((error as GremlinResponseError).message).toBe('Server error: bad traversal (597)');
    expect((error as GremlinResponseError).statusAttributes).toEqual(
      new Map([['exceptions', ['java.lang.IllegalStateException']]]),
    );
    await connection.close();
  });

  it('answers an authentication challenge (407) with SASL PLAIN credentials, then gets the result', async () => {
    const server = await fakeServer((request, socket) => {
      if (request.op === 'authentication') respond(socket, request, 200, [int(7)]);
      else respond(socket, request, 407);
    });
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, {
      ...options,
      username: 'alice',
      password: 's3cret',
    });
    await expect(connection.submit('1', undefined, { evaluationTimeout: 10 })).resolves.toEqual([
      7,
    ]);
    const auth = server.requests[1];
    expect(auth.op).toBe('authentication');
    expect(auth.requestId['@value']).toBe(server.requests[0].requestId['@value']);
    expect(Buffer.from(String(auth.args.sasl), 'base64').toString()).toBe('\0alice\0s3cret');
    await connection.close();
  });

  it('fails a challenge when no credentials are configured', async () => {
    const server = await fakeServer((request, socket) => respond(socket, request, 407));
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, options);
    await expect(connection.submit('1', undefined, { evaluationTimeout: 10 })).rejects.toThrow(
      /JANUSGRAPH_USERNAME/,
    );
    await connection.close();
  });

  it('fails pending requests when the server drops the socket, and reconnects on the next request', async () => {
    let drop = true;
    const server = await fakeServer((request, socket) => {
      if (drop) {
        drop = false;
        socket.terminate();
      } else respond(socket, request, 200, [int(5)]);
    });
    stops.push(server.stop);
    const connection = new WsGremlinConnection(server.url, options);
    const closes: number[] = [];
    connection.onClose((code) => closes.push(code));
    await expect(
      connection.submit('1', undefined, { evaluationTimeout: 10 }),
    ).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(closes).toHaveLength(1);
    expect(connection.isOpen).toBe(false);
    await expect(connection.submit('1', undefined, { evaluationTimeout: 10 })).resolves.toEqual([
      5,
    ]);
    await connection.close();
  });

  it('rejects open() with the socket error when nothing listens', async () => {
    const server = await fakeServer(() => undefined);
    const url = server.url;
    await server.stop();
    const connection = new WsGremlinConnection(url, options);
    await expect(connection.open()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(connection.isOpen).toBe(false);
  });
});
