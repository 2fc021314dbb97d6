import { Module } from '@nestjs/common';
import { GraphStoreModule } from '@app/graph-store';
import { LoggingModule } from '@app/observability';
import { RiskModelModule } from '@app/risk-model';
import { SettingsModule } from '@app/settings';
import { StreamingModule } from '@app/streaming';
import { HealthModule } from './health/health.module';
import { IngestWorkerModule } from './ingest/ingest-worker.module';
import { IngestMetricsModule } from './metrics/ingest-metrics.module';

/**
 * The ingest worker app: settings, JSON logs, the graph store and the message broker chosen
 * by settings, the learned risk model when RISK_MODEL_FILE names one, the worker (with detection), and its probes: `/health/live`, `/health/ready`
 * and `/metrics`, served when `main.ts` listens on INGEST_HTTP_PORT (see docs/streaming.md).
 */
@Module({
  imports: [
    SettingsModule,
    LoggingModule.forRoot(),
    GraphStoreModule,
    RiskModelModule,
    StreamingModule,
    IngestWorkerModule,
    IngestMetricsModule,
    HealthModule,
  ],
})
export class IngestModule {}
