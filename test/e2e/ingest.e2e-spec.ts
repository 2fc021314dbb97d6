import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import {
  appSettings,
  ingestSettings,
  loadAllSettings,
  processEnv,
  streamingSettings,
} from '@app/settings';
import { MessageBroker, movementMessage, vertexUpsertMessage } from '@app/streaming';
import { GraphUnavailableError } from '@app/vocabulary';
import { sample } from '../support/prometheus-sample';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { account, movement, until } from '../../apps/ingest/src/ingest/ingest.fixtures';
import { IngestWorker } from '../../apps/ingest/src/ingest/ingest.worker';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

// The ingest worker's probes over HTTP: liveness, readiness (graph store, broker, its own
// consumers) and Prometheus metrics of what it consumed, wrote, retried and dead-lettered.

const ENTITIES = 'persistent://public/default/bank.entities';
const MOVEMENTS = 'persistent://public/default/bank.movements';

class DownGraphStore extends MemoryGraphStore {
  override ping(): Promise<void> {
    return Promise.reject(new GraphUnavailableError('JanusGraph at 127.0.0.1:1 does not answer'));
  }
}

interface HealthBody {
  status?: string;
  info?: Record<string, unknown>;
  error?: Record<string, unknown>;
}

function server(app: INestApplication): Server {
  return app.getHttpServer() as Server;
}

async function boot(store: GraphStore): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [IngestModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, logLevel: 'silent' })
    // The embedded broker, with quick redeliveries so a retried message runs out in the test.
    .overrideProvider(streamingSettings.KEY)
    .useValue({ ...defaults.streaming, nackRedeliveryDelayMs: 10, maxRedeliverCount: 2 })
    // One message per batch: the batch-size histogram shows the setting reached the worker.
    // No extra wait for missing accounts (no hold in the worker either): a movement without them
    // runs out of redeliveries.
    .overrideProvider(ingestSettings.KEY)
    .useValue({ ...defaults.ingest, batchSize: 1, missingEntityWaitMs: 0, holdMissingMs: 0 })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  await app.init();
  return app;
}

/** The value of one sample of the Prometheus text format, found by name and labels. */
describe('Ingest worker probes (e2e, memory broker and graph)', () => {
  let app: INestApplication;
  let worker: IngestWorker;

  beforeAll(async () => {
    app = await boot(new MemoryGraphStore());
    worker = app.get(IngestWorker);
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers liveness, and readiness with 200 naming the store, the broker and the consumers', async () => {
    await request(server(app)).get('/health/live').expect(200);
    const ready = await request(server(app)).get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ok',
      info: {
        graph: { status: 'up', backend: 'memory' },
        broker: { status: 'up', broker: 'memory' },
        consumers: { status: 'up', subscription: 'graph-ingest', topics: [ENTITIES, MOVEMENTS] },
      },
      error: {},
      details: expect.any(Object) as unknown,
    });
  });

  it('exposes what was consumed, written, retried and dead-lettered on /metrics', async () => {
    const broker = app.get(MessageBroker);
    const before = await request(server(app)).get('/metrics').expect(200);
    expect(before.headers['content-type']).toContain('text/plain');
    expect(before.text).toContain('process_cpu_user_seconds_total');
    expect(sample(before.text, 'ingest_consumer_subscribed', { topic: ENTITIES })).toBe(1);
    expect(sample(before.text, 'ingest_consumer_subscribed', { topic: MOVEMENTS })).toBe(1);
    expect(sample(before.text, 'ingest_messages_held', { topic: MOVEMENTS })).toBe(0);
    expect(sample(before.text, 'ingest_stop_given_up_messages_total', { topic: MOVEMENTS })).toBe(
      0,
    );
    for (const outcome of ['written', 'dead_lettered', 'retried']) {
      expect(
        sample(before.text, 'ingest_messages_settled_total', { topic: MOVEMENTS, outcome }),
      ).toBe(0);
    }

    // One good account, one invalid message, and a movement between accounts that never
    // arrive: retried twice (maxRedeliverCount 2), then dead-lettered with the reason.
    await broker.publish('bank.entities', [
      vertexUpsertMessage(account(1), { id: 'e2e-1', occurredAt: SOURCE_TIME + 1 }),
      { payload: '{"type":"vertex.upsert"}' },
    ]);
    await broker.publish('bank.movements', [
      movementMessage(movement(1, 8, 9), { id: 'e2e-2', occurredAt: SOURCE_TIME + 2 }),
    ]);
    await until(
      () => worker.counters.written === 1 && worker.counters.deadLettered === 2,
      'the write and both dead letters',
    );

    const after = await request(server(app)).get('/metrics').expect(200);
    const settled = (topic: string, outcome: string): number =>
      sample(after.text, 'ingest_messages_settled_total', { topic, outcome });
    expect(settled(ENTITIES, 'written')).toBe(1);
    expect(settled(ENTITIES, 'dead_lettered')).toBe(1);
    expect(settled(ENTITIES, 'retried')).toBe(0);
    expect(settled(MOVEMENTS, 'written')).toBe(0);
    expect(settled(MOVEMENTS, 'retried')).toBe(2);
    expect(settled(MOVEMENTS, 'dead_lettered')).toBe(1);
    expect(sample(after.text, 'ingest_messages_received_total', { topic: ENTITIES })).toBe(2);
    expect(sample(after.text, 'ingest_messages_received_total', { topic: MOVEMENTS })).toBe(3);
    // INGEST_BATCH_SIZE=1: every batch holds one message.
    expect(sample(after.text, 'ingest_batch_size_count', { topic: ENTITIES })).toBe(2);
    expect(sample(after.text, 'ingest_batch_size_bucket', { topic: ENTITIES, le: '1' })).toBe(2);
    expect(sample(after.text, 'ingest_batch_duration_seconds_count', { topic: MOVEMENTS })).toBe(3);
    expect(sample(after.text, 'ingest_batch_failures_total', { topic: ENTITIES })).toBe(0);
    expect(sample(after.text, 'ingest_alerts_published_total')).toBe(0);
    expect(await app.get(GraphStore).getVertex(account(1).uid)).toEqual(account(1));
  });

  it('answers 503 once the worker has detached from its topics', async () => {
    await worker.stop();
    const response = await request(server(app)).get('/health/ready').expect(503);
    const body = response.body as HealthBody;
    expect(body.status).toBe('error');
    expect(body.error).toEqual({
      consumers: {
        status: 'down',
        subscription: 'graph-ingest',
        topics: [ENTITIES, MOVEMENTS],
        message: 'the worker is not subscribed to its topics (starting or stopped)',
      },
    });
    const metrics = await request(server(app)).get('/metrics').expect(200);
    expect(sample(metrics.text, 'ingest_consumer_subscribed', { topic: ENTITIES })).toBe(0);
    await request(server(app)).get('/health/live').expect(200);
  });
});

describe('Ingest worker readiness when the graph store is down (e2e)', () => {
  it('answers /health/ready with 503 naming the graph store, and stays live', async () => {
    const app = await boot(new DownGraphStore());
    try {
      const response = await request(server(app)).get('/health/ready').expect(503);
      const body = response.body as HealthBody;
      expect(body.status).toBe('error');
      expect(body.error).toEqual({
        graph: {
          status: 'down',
          backend: 'memory',
          message: 'JanusGraph at 127.0.0.1:1 does not answer',
        },
      });
      expect(Object.keys(body.info ?? {}).sort()).toEqual(['broker', 'consumers']);
      await request(server(app)).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });
});

describe('Ingest worker start-up with invalid settings', () => {
  it('stops with a non-zero exit code and a message naming the variable and the rule', () => {
    const main = join(__dirname, '..', '..', 'apps', 'ingest', 'src', 'main.ts');
    const result = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', main],
      {
        env: { ...processEnv(), INGEST_BATCH_SIZE: '0', INGEST_HTTP_PORT: '70000' },
        encoding: 'utf8',
        timeout: 60000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('INGEST_BATCH_SIZE="0": must be at least 1');
    expect(result.stderr).toContain(
      'INGEST_HTTP_PORT="70000": must be a TCP port between 1 and 65535, or 0 for none',
    );
  });
});
