import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GraphStore } from '@app/graph-store';
import { Clock, SystemClock } from '@app/vocabulary';
import { AuditController } from './audit.controller';
import { AuditVerifyController } from './audit-verify.controller';
import { AuditHealthIndicator } from './audit.health';
import { AuditLog } from './audit-log';
import { AuditMiddleware } from './audit.middleware';
import { GraphAuditLog } from './graph.audit-log';
import { MemoryAuditLog } from './memory.audit-log';

/**
 * The audit trail: where entries go follows the graph backend. On JanusGraph they are
 * `AuditEntry` vertices in the shared graph (durable, one trail for every API replica); on the
 * embedded memory store they stay in process memory like the data itself.
 */
export function createAuditLog(store: GraphStore, clock: Clock): AuditLog {
  return store.backend === 'memory' ? new MemoryAuditLog() : new GraphAuditLog(store, clock);
}

@Module({
  imports: [TerminusModule],
  controllers: [AuditController, AuditVerifyController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: AuditLog, useFactory: createAuditLog, inject: [GraphStore, Clock] },
    AuditHealthIndicator,
  ],
  exports: [AuditLog, AuditHealthIndicator],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes('api/*path');
  }
}
