import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { GraphStoreModule } from '@app/graph-store';
import { LoggingModule } from '@app/observability';
import { IngestConfig, ingestSettings, SettingsModule } from '@app/settings';
import { StreamingModule } from '@app/streaming';
import { INGEST_OPTIONS, ingestOptionsFrom } from './ingest/ingest.options';
import { IngestWorker } from './ingest/ingest.worker';
import { DetectorsMovementDetector, MovementDetector } from './ingest/movement-detector';

/**
 * The ingest worker app: settings, JSON logs, the graph store and the message broker chosen
 * by settings, detection, and the worker with its micro-batching from the `ingest` settings.
 * No HTTP server (see docs/streaming.md).
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
    {
      provide: INGEST_OPTIONS,
      inject: [ingestSettings.KEY],
      useFactory: (config: IngestConfig) => ingestOptionsFrom(config),
    },
    { provide: MovementDetector, useClass: DetectorsMovementDetector },
    IngestWorker,
  ],
})
export class IngestModule {}
