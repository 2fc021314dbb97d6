import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { Clock, SystemClock } from '@app/vocabulary';
import { AuditController } from './audit.controller';
import { AuditLog, MemoryAuditLog } from './audit-log';
import { AuditMiddleware } from './audit.middleware';

@Module({
  controllers: [AuditController],
  providers: [
    { provide: AuditLog, useFactory: () => new MemoryAuditLog() },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [AuditLog],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes('api/*path');
  }
}
