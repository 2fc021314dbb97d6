import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { IngestMetrics } from '../ingest/ingest.metrics';
import { INGEST_METRIC_PROVIDERS, PrometheusIngestMetrics } from './prometheus.ingest-metrics';

/**
 * Prometheus for the worker: `/metrics` (prom-client's default registry: process metrics and
 * the `ingest_*` metrics) through @willsoto/nestjs-prometheus, and `IngestMetrics` recorded there.
 */
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: [
    ...INGEST_METRIC_PROVIDERS,
    { provide: IngestMetrics, useClass: PrometheusIngestMetrics },
  ],
  exports: [IngestMetrics],
})
export class IngestMetricsModule {}
