import { createServer, connect, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Where the proxy forwards to. */
export interface ProxyTarget {
  host: string;
  port: number;
}

/**
 * A TCP proxy on 127.0.0.1 between a client (the ingest worker) and a server (JanusGraph),
 * used to simulate an outage without touching the server:
 *
 * - `cut()` destroys every open connection and stops listening, so new connections are
 *   refused (ECONNREFUSED), as if the server were down;
 * - `restore()` listens again on the SAME port, so the client reconnects to the address it was
 *   given at start;
 * - `freeze()` keeps every connection open but forwards nothing any more, either way (what
 *   the client sends is read and dropped): a server that hangs. New connections are
 *   accepted and swallowed too. `cut()` ends a freeze.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private server?: Server;
  private listeningPort = 0;
  private frozen = false;

  private constructor(private readonly target: ProxyTarget) {}

  /** Starts a proxy to `target` on a free port of 127.0.0.1. */
  static async start(target: ProxyTarget): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  /** The port clients connect to (the same before and after a cut). */
  get port(): number {
    return this.listeningPort;
  }

  /** True between `cut()` and `restore()`. */
  get isCut(): boolean {
    return this.server === undefined;
  }

  /** Connections currently forwarded. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Drops every connection and refuses new ones until `restore()`; ends a freeze. */
  async cut(): Promise<void> {
    this.frozen = false;
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.pairs.clear();
    await closed;
  }

  /** Stops forwarding on every connection, open or new, without closing any (a hung server). */
  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      this.swallow(client);
      upstream.pause();
    }
  }

  /** Accepts connections again, on the port used before the cut. */
  async restore(): Promise<void> {
    if (this.server) return;
    await this.listen(this.listeningPort);
  }

  /** Stops for good. */
  async close(): Promise<void> {
    await this.cut();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => this.forward(client));
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.off('error', reject);
        this.server = server;
        this.listeningPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private swallow(client: Socket): void {
    client.on('data', () => undefined);
    // `unpipe` leaves the stream paused; a 'data' listener alone would not start it again.
    client.resume();
  }

  private forward(client: Socket): void {
    if (this.frozen) {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      this.swallow(client);
      return;
    }
    const upstream = connect({ host: this.target.host, port: this.target.port });
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('close', () => this.pairs.delete(pair));
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
      // A reset on one side ends both: the client sees the connection drop, as with a server.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
