import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { GraphStoreModule } from '@app/graph-store';
import { LoggingModule } from '@app/observability';
import { SettingsModule } from '@app/settings';
import { StreamingModule } from '@app/streaming';
import { DEFAULT_INGEST_OPTIONS, INGEST_OPTIONS } from './ingest/ingest.options';
import { IngestWorker } from './ingest/ingest.worker';
import { DetectorsMovementDetector, MovementDetector } from './ingest/movement-detector';

/**
 * The ingest worker app: settings, JSON logs, the graph store and the message broker chosen
 * by settings, detection, and the worker. No HTTP server (see docs/streaming.md).
 */
@Module({
  imports: [
    SettingsModule,
    LoggingModule.forRoot(),
    GraphStoreModule,
    StreamingModule,
    DetectorsModule,
  ],
  providers: [
    { provide: INGEST_OPTIONS, useValue: DEFAULT_INGEST_OPTIONS },
    { provide: MovementDetector, useClass: DetectorsMovementDetector },
    IngestWorker,
  ],
})
export class IngestModule {}
