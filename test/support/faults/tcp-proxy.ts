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
 *   given at start.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private listeningPort = 0;

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

  /** Drops every connection and refuses new ones until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
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

  private forward(client: Socket): void {
    const upstream = connect({ host: this.target.host, port: this.target.port });
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
