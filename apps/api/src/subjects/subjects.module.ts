import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { Clock, SystemClock } from '@app/vocabulary';
import { AuditModule } from '../audit/audit.module';
import { SubjectsController } from './subjects.controller';
import { SubjectsService } from './subjects.service';

/**
 * Data subject export and erasure under /api/v1/subjects. Relies on the global GraphStoreModule
 * and SettingsModule of ApiModule; the audit trail comes from AuditModule.
 */
@Module({
  imports: [DetectorsModule, AuditModule],
  providers: [SubjectsService, { provide: Clock, useClass: SystemClock }],
  controllers: [SubjectsController],
})
export class SubjectsModule {}
