import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IngestWorkerModule } from '../ingest/ingest-worker.module';
import { HealthController } from './health.controller';
import { IngestConsumersHealthIndicator } from './ingest-consumers.health';

/** `/health/live` and `/health/ready` of the worker, with @nestjs/terminus. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), IngestWorkerModule],
  controllers: [HealthController],
  providers: [IngestConsumersHealthIndicator],
})
export class HealthModule {}
