import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { GraphStore } from '@app/graph-store';
import { ingestSettings, loadAllSettings } from '@app/settings';
import { MemoryBroker, MessageBroker, vertexUpsertMessage } from '@app/streaming';
import { IngestModule } from './ingest.module';
import { account, until } from './ingest/ingest.fixtures';
import { IngestMetrics } from './ingest/ingest.metrics';
import { DEFAULT_INGEST_OPTIONS, INGEST_OPTIONS } from './ingest/ingest.options';
import { IngestWorker } from './ingest/ingest.worker';
import { DetectorsMovementDetector, MovementDetector } from './ingest/movement-detector';
import { PrometheusIngestMetrics } from './metrics/prometheus.ingest-metrics';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

describe('IngestModule', () => {
  it('boots with the default settings (memory broker and graph), ingests, and stops on close', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [IngestModule] })
      .overrideModule(LoggerModule)
      .useModule(LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }))
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const broker = app.get(MessageBroker);
    const worker = app.get(IngestWorker);
    expect(broker).toBeInstanceOf(MemoryBroker);
    expect(app.get(MovementDetector)).toBeInstanceOf(DetectorsMovementDetector);
    expect(app.get(IngestMetrics)).toBeInstanceOf(PrometheusIngestMetrics);
    expect(app.get(INGEST_OPTIONS)).toEqual(DEFAULT_INGEST_OPTIONS);
    expect(worker.isRunning).toBe(true);
    await broker.publish('bank.entities', [
      vertexUpsertMessage(account(1), { id: 'x', occurredAt: SOURCE_TIME + 1 }),
    ]);
    await until(() => worker.counters.written === 1, 'the write');
    expect(await app.get(GraphStore).getVertex('account:b1:1')).toEqual(account(1));
    await app.close();
    expect(worker.isRunning).toBe(false);
    await expect(broker.ping()).rejects.toThrow(/closed/);
  });

  it('takes the micro-batch size and window from the ingest settings', async () => {
    const ingest = loadAllSettings({ INGEST_BATCH_SIZE: '17', INGEST_BATCH_WINDOW_MS: '0' }).ingest;
    const moduleRef = await Test.createTestingModule({ imports: [IngestModule] })
      .overrideModule(LoggerModule)
      .useModule(LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }))
      .overrideProvider(ingestSettings.KEY)
      .useValue(ingest)
      .compile();
    expect(moduleRef.get(INGEST_OPTIONS)).toEqual({
      ...DEFAULT_INGEST_OPTIONS,
      batchSize: 17,
      batchWindowMs: 0,
    });
    await moduleRef.close();
  });
});
