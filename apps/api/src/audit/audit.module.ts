import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Clock, SystemClock } from '@app/vocabulary';
import { AuditController } from './audit.controller';
import { AuditLog, MemoryAuditLog } from './audit-log';
import { AuditInterceptor } from './audit.interceptor';

@Module({
  controllers: [AuditController],
  providers: [
    { provide: AuditLog, useFactory: () => new MemoryAuditLog() },
    { provide: Clock, useClass: SystemClock },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuditLog],
})
export class AuditModule {}
