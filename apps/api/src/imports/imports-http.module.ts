import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { DetectorsModule } from '@app/detectors';
import { Clock, SystemClock } from '@app/vocabulary';
import { AuditModule } from '../audit/audit.module';
import { ErasedSubjects } from '../subjects/erased-subjects';
import { ImportJobsService } from './import-jobs.service';
import { ImportLimits, ImportLimitsModule } from './import-limits';
import { ImportSlotGuard, UploadErrorsInterceptor } from './import-request';
import { ImportsController } from './imports.controller';

/**
 * `POST /api/v1/imports` and `GET /api/v1/imports/{jobId}`. Uploads go to memory (multer's
 * default storage) within ImportLimits; a JSON-lines body is read by the controller itself (the
 * JSON body parser only takes application/json, so it leaves application/x-ndjson alone). Relies
 * on the global GraphStoreModule, SettingsModule and ApiMetricsModule of ApiModule; the audit
 * trail (AuditModule) dates the erasures an import keeps (ErasedSubjects); the detectors' money
 * (DetectorsModule, BASE_MONEY) refuses movements its rate table cannot convert.
 */
@Module({
  imports: [
    AuditModule,
    DetectorsModule,
    ImportLimitsModule,
    MulterModule.registerAsync({
      imports: [ImportLimitsModule],
      inject: [ImportLimits],
      useFactory: (limits: ImportLimits) => ({
        limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 10 },
      }),
    }),
  ],
  controllers: [ImportsController],
  providers: [
    ImportJobsService,
    ErasedSubjects,
    ImportSlotGuard,
    UploadErrorsInterceptor,
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [ImportJobsService],
})
export class ImportsHttpModule {}
