import type { NestExpressApplication } from '@nestjs/platform-express';
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootApi } from './boot-api';

// Shutdown under load: a client that keeps sending on one keep-alive connection must not keep
// the API from stopping (outside load review: it served 493 more requests over 120 s after
// SIGTERM; Node's server.close() leaves a connection busy with a request open, and it keeps
// taking requests). Once the shutdown begins, every answer closes its connection, answers in
// progress included, and after SHUTDOWN_GRACE_SECONDS the connections left are closed.

/** The answer's headers, or the error code that ended the request (the server was gone). */
type Outcome = { headers: IncomingHttpHeaders } | { failed: string };

/**
 * One POST on the keep-alive agent whose body follows its headers after `pauseMs`, so the
 * connection is busy (an answer owed) meanwhile; `afterHeaders` runs once the headers are sent.
 */
function postSlowly(
  agent: Agent,
  url: string,
  pauseMs: number,
  afterHeaders: () => void,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException): void =>
      resolve({ failed: error.code ?? error.message });
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '2' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ headers: res.headers }));
        res.on('error', failed);
      },
    );
    req.on('error', failed);
    req.flushHeaders();
    afterHeaders();
    setTimeout(() => req.end('{}'), pauseMs);
  });
}

describe('API shutdown with busy keep-alive clients (e2e, embedded store)', () => {
  let app: NestExpressApplication | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('closes a busy keep-alive connection after its current answer once the shutdown begins, and stops', async () => {
    const running = await bootApi({ app: { shutdownGraceSeconds: 30 } });
    app = running;
    await running.listen(0, '127.0.0.1');
    const { port } = running.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/api/v1/ubo/evaluate`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    let closed = false;
    let closing: Promise<void> | undefined;
    const duringShutdown: Outcome[] = [];
    for (let sent = 0; sent < 40 && !closed; sent += 1) {
      // From the 21st request on, each body takes 300 ms to come (the connection is busy most
      // of the time), and the shutdown begins while the 21st is being received.
      const outcome = await postSlowly(agent, url, sent < 20 ? 0 : 300, () => {
        if (sent !== 20) return;
        closing = new Promise<void>((resolve) => setTimeout(resolve, 100))
          .then(() => running.close())
          .then(() => {
            closed = true;
          });
      });
      if (closing) duringShutdown.push(outcome);
      if ('failed' in outcome) break;
    }
    agent.destroy();
    await closing;
    app = undefined;
    // The API stopped while the client was still sending, and well within the grace period:
    // the answer in progress closed its connection, and the next request found no server.
    expect(closed).toBe(true);
    expect(duringShutdown.length).toBeLessThanOrEqual(2);
    const [inProgress] = duringShutdown;
    expect(inProgress).toMatchObject({ headers: { connection: 'close' } });
  }, 60_000);
});
