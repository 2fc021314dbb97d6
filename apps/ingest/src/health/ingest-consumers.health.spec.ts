import { HealthIndicatorService } from '@nestjs/terminus';
import { MemoryBroker, MessageBroker, PulsarWebSocketBroker } from '@app/streaming';
import type { IngestWorker } from '../ingest/ingest.worker';
import { IngestConsumersHealthIndicator } from './ingest-consumers.health';

const ENTITIES = 'persistent://public/default/bank.entities';
const MOVEMENTS = 'persistent://public/default/bank.movements';

type ConsumerStates = ReturnType<PulsarWebSocketBroker['consumerStates']>;

/** The things the indicator reads from the worker. */
function workerStub(isRunning: boolean, outage?: IngestWorker['outage']): IngestWorker {
  const stub: Pick<IngestWorker, 'isRunning' | 'source' | 'outage'> = {
    isRunning,
    source: { topics: [ENTITIES, MOVEMENTS], subscription: 'graph-ingest' },
    outage,
  };
  return stub as IngestWorker;
}

function webSocketBroker(states: ConsumerStates): PulsarWebSocketBroker {
  const broker = new PulsarWebSocketBroker({
    webUrl: 'http://127.0.0.1:9',
    tenant: 'public',
    namespace: 'default',
  });
  jest.spyOn(broker, 'consumerStates').mockReturnValue(states);
  return broker;
}

function check(worker: IngestWorker, broker: MessageBroker) {
  return new IngestConsumersHealthIndicator(worker, broker, new HealthIndicatorService()).isHealthy(
    'consumers',
  ).consumers;
}

describe('IngestConsumersHealthIndicator', () => {
  it('is down while the worker is not subscribed', () => {
    expect(check(workerStub(false), new MemoryBroker())).toEqual({
      status: 'down',
      subscription: 'graph-ingest',
      topics: [ENTITIES, MOVEMENTS],
      message: 'the worker is not subscribed to its topics (starting or stopped)',
    });
  });

  it('is down while the worker holds its batches because the graph does not answer, saying since when and why', () => {
    const outage = {
      since: Date.UTC(2025, 0, 1, 12, 0, 0),
      reason: 'GraphUnavailableError: JanusGraph is not reachable at ws://127.0.0.1:8182/gremlin',
      failures: 4,
      heldMessages: 200,
    };
    expect(check(workerStub(true, outage), new MemoryBroker())).toEqual({
      status: 'down',
      subscription: 'graph-ingest',
      topics: [ENTITIES, MOVEMENTS],
      message:
        'paused: the graph store cannot take writes since 2025-01-01T12:00:00.000Z (GraphUnavailableError: JanusGraph is not reachable at ws://127.0.0.1:8182/gremlin); ' +
        '200 message(s) held and tried again with backoff (4 failed tries); nothing is dead-lettered meanwhile',
    });
  });

  it('is up while the worker is subscribed to a broker without consumer states', () => {
    expect(check(workerStub(true), new MemoryBroker())).toEqual({
      status: 'up',
      subscription: 'graph-ingest',
      topics: [ENTITIES, MOVEMENTS],
    });
  });

  it('over WebSocket, is up when both of its consumers are connected', () => {
    const broker = webSocketBroker([
      { topic: ENTITIES, subscription: 'graph-ingest', state: 'connected' },
      { topic: MOVEMENTS, subscription: 'graph-ingest', state: 'connected' },
      { topic: MOVEMENTS, subscription: 'someone-else', state: 'failed' },
    ]);
    expect(check(workerStub(true), broker)).toMatchObject({
      status: 'up',
      consumers: [
        { topic: ENTITIES, state: 'connected' },
        { topic: MOVEMENTS, state: 'connected' },
      ],
    });
  });

  it.each(['reconnecting', 'failed', 'connecting', 'closed'] as const)(
    'over WebSocket, is down while a consumer is %s, naming its topic',
    (state) => {
      const broker = webSocketBroker([
        { topic: ENTITIES, subscription: 'graph-ingest', state: 'connected' },
        { topic: MOVEMENTS, subscription: 'graph-ingest', state },
      ]);
      expect(check(workerStub(true), broker)).toMatchObject({
        status: 'down',
        consumers: [
          { topic: ENTITIES, state: 'connected' },
          { topic: MOVEMENTS, state },
        ],
        message: `no connected consumer for ${MOVEMENTS}`,
      });
    },
  );

  it('over WebSocket, is down when a topic has no consumer of its subscription at all', () => {
    const broker = webSocketBroker([
      { topic: ENTITIES, subscription: 'graph-ingest', state: 'connected' },
      { topic: MOVEMENTS, subscription: 'someone-else', state: 'connected' },
    ]);
    expect(check(workerStub(true), broker)).toMatchObject({
      status: 'down',
      message: `no connected consumer for ${MOVEMENTS}`,
    });
  });
});
