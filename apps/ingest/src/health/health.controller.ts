import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { GraphStoreHealthIndicator } from '@app/graph-store';
import { BUILD_INFO, BuildInfo } from '@app/observability';
import { StreamingHealthIndicator } from '@app/streaming';
import { IngestConsumersHealthIndicator } from './ingest-consumers.health';

/** Probes of the ingest worker (served only when INGEST_HTTP_PORT is not 0). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly graph: GraphStoreHealthIndicator,
    private readonly broker: StreamingHealthIndicator,
    private readonly consumers: IngestConsumersHealthIndicator,
  ) {}

  /** What is running: project name, release version and Node.js version. */
  @Get('version')
  version(): BuildInfo {
    return BUILD_INFO;
  }

  /** The process is up (no dependency checked). */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Ingesting: 503 while the graph store or the broker is unreachable or a consumer is down. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.graph.isHealthy('graph'),
      () => this.broker.isHealthy('broker'),
      () => this.consumers.isHealthy('consumers'),
    ]);
  }
}
