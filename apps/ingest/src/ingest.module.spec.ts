import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { GraphStore } from '@app/graph-store';
import { MemoryBroker, MessageBroker, vertexUpsertMessage } from '@app/streaming';
import { IngestModule } from './ingest.module';
import { account, until } from './ingest/ingest.fixtures';
import { IngestWorker } from './ingest/ingest.worker';
import { DetectorsMovementDetector, MovementDetector } from './ingest/movement-detector';

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
    expect(worker.isRunning).toBe(true);
    await broker.publish('bank.entities', [
      vertexUpsertMessage(account(1), { id: 'x', occurredAt: 1 }),
    ]);
    await until(() => worker.counters.written === 1, 'the write');
    expect(await app.get(GraphStore).getVertex('account:b1:1')).toEqual(account(1));
    await app.close();
    expect(worker.isRunning).toBe(false);
    await expect(broker.ping()).rejects.toThrow(/closed/);
  });
});
