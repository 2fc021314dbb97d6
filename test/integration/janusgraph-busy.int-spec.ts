import { JanusGraphClient, JanusGraphQueryError, __ } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import {
  describeWithLocalJanusGraph,
  janusGraphService,
  janusGraphServiceWith,
} from '@app/testing';
import { GraphUnavailableError } from '@app/vocabulary';

jest.setTimeout(300_000);

/** Requests sent at once: many more than one thread and one place in the queue can take. */
const AT_ONCE = 12;
/** Steps of each request: enough for it to take a noticeable time on the server. */
const REPEATS = 200_000;

/**
 * A JanusGraph too busy to queue a request, a fault the issue does not name: Gremlin Server
 * answers 429 ("Rate limiting") when more requests wait for a thread than its
 * `maxWorkQueueSize`. The client used to report that as a rejected request, which the ingest
 * worker takes for a bad message (it splits the batch and sends each message back through the
 * broker, towards the dead-letter topic). The server is restarted by
 * `docker/local/janusgraph/service.sh` with one thread and room for one waiting request, and sent
 * more requests at once than that.
 */
describeWithLocalJanusGraph(
  'a JanusGraph with one thread and one place in its queue (service.sh restart)',
  (janusgraph) => {
    let client: JanusGraphClient | undefined;
    let limited = false;

    beforeAll(async () => {
      limited = true;
      await janusGraphServiceWith(
        janusgraph.local,
        { JANUSGRAPH_GREMLIN_POOL: '1', JANUSGRAPH_MAX_WORK_QUEUE_SIZE: '1' },
        'restart',
      );
      const settings = loadAllSettings().graph;
      client = new JanusGraphClient({ ...settings, host: janusgraph.host, port: janusgraph.port });
      await client.open();
    });

    afterAll(async () => {
      await client?.close();
      // The graph server is shared with the other tests: never leave it limited.
      if (limited) await janusGraphService(janusgraph.local, 'restart');
    });

    it('answers what it cannot queue with 429, which the client reports as a busy server (GraphUnavailableError), never as a rejected request', async () => {
      const graph = client as JanusGraphClient;
      // The one thread must be free before the burst: a request that is answered first.
      await expect(
        graph.submit(graph.g.inject(1), { operation: 'warm-up', timeoutMs: 60_000 }),
      ).resolves.toEqual([1]);
      const bursts: Burst[] = [];
      // Once in about thirty CI runs the server answered none of the two requests it took
      // within the request timeout (not even its own time-out answer), on another machine.
      // Such a burst says nothing about 429s being reported right; it is sent again, at most
      // twice, and every burst is checked for misreported refusals.
      while (bursts.length < 3 && !bursts.some((burst) => burst.answered > 0)) {
        bursts.push(await burst(graph));
      }
      expect(bursts.flatMap((burst) => burst.misreported)).toEqual([]);
      const last = bursts[bursts.length - 1];
      expect({
        someAnswered: last.answered > 0,
        someRefusedAsBusy: last.refusedAsBusy > 0,
        answeredOrRefusedAsBusy: last.answered + last.refusedAsBusy,
        others: last.others,
      }).toEqual({
        someAnswered: true,
        someRefusedAsBusy: true,
        answeredOrRefusedAsBusy: AT_ONCE,
        others: [],
      });
    });
  },
);

interface Burst {
  answered: number;
  refusedAsBusy: number;
  /** Refusals reported as a rejected request: the defect this file is about. */
  misreported: string[];
  /** Any other failure, named (a time-out, for example). */
  others: string[];
}

/** Sends `AT_ONCE` slow requests at once, each not retried, and sorts the answers. */
async function burst(graph: JanusGraphClient): Promise<Burst> {
  const outcomes = await Promise.allSettled(
    Array.from({ length: AT_ONCE }, () =>
      // Not retried (idempotent: false): each answer is the server's first.
      graph.submit(graph.g.inject(0).repeat(__.identity()).times(REPEATS).count(), {
        operation: 'busy probe',
        idempotent: false,
        timeoutMs: 15_000,
      }),
    ),
  );
  const failures = outcomes.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as Error] : [],
  );
  const named = (error: Error): string => `${error.constructor.name}: ${error.message}`;
  const busy = (error: Error): boolean =>
    error instanceof GraphUnavailableError && error.message.includes('too busy');
  return {
    answered: outcomes.length - failures.length,
    refusedAsBusy: failures.filter(busy).length,
    misreported: failures.filter((error) => error instanceof JanusGraphQueryError).map(named),
    others: failures
      .filter((error) => !busy(error) && !(error instanceof JanusGraphQueryError))
      .map(named),
  };
}
