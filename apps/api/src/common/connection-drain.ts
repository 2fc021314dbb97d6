import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';

/**
 * Lets the HTTP server stop while clients keep sending on keep-alive connections. Node's
 * `server.close()` closes only the connections idle at that moment; a connection busy with a
 * request stays open and keeps taking requests after it (an outside load review saw 493 more
 * answered over 120 s after SIGTERM). Once draining begins, every answer says
 * `Connection: close` (Node then closes its connection after it), answers in progress included,
 * idle connections are closed at once, and after the grace period every connection left is closed, answer or not.
 */
export class ConnectionDrain {
  private draining = false;
  /** Answers in progress: those not sent yet when the drain begins close their connection too. */
  private readonly inFlight = new Set<Response>();

  constructor(
    private readonly server: Server,
    private readonly graceMs: number,
  ) {}

  /** Express middleware: during the drain, the answer closes its connection. */
  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    if (this.draining) {
      response.setHeader('Connection', 'close');
    } else {
      this.inFlight.add(response);
      const done = (): void => {
        this.inFlight.delete(response);
      };
      response.once('finish', done);
      response.once('close', done);
    }
    next();
  };

  get isDraining(): boolean {
    return this.draining;
  }

  /** Starts the drain (once); the grace timer does not keep the process alive. */
  begin(): void {
    if (this.draining) return;
    this.draining = true;
    for (const response of this.inFlight) {
      if (!response.headersSent) {
        response.setHeader('Connection', 'close');
        continue;
      }
      // Taken now: Node detaches the socket from the response before 'finish' listeners run.
      const socket = response.socket;
      response.once('finish', () => socket?.end());
    }
    this.inFlight.clear();
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), this.graceMs);
    timer.unref();
    this.server.once('close', () => clearTimeout(timer));
  }
}

/** Starts the drain when the app shuts down, before Nest closes the HTTP server. */
@Injectable()
export class ShutdownDrain implements BeforeApplicationShutdown {
  private drain: ConnectionDrain | undefined;

  attach(drain: ConnectionDrain): void {
    this.drain = drain;
  }

  beforeApplicationShutdown(): void {
    this.drain?.begin();
  }
}
