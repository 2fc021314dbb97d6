import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { Clock, SystemClock } from '@app/vocabulary';
import { PresentationModule } from '../presentation/presentation.module';
import { AlertsController } from './alerts.controller';
import { ScanJobs } from './scan-jobs.service';

/**
 * The alert endpoints under /api/v1/alerts, with the in-process registry of scan jobs. Import
 * it into ApiModule; it relies on the global GraphStoreModule and SettingsModule that ApiModule
 * already imports.
 */
@Module({
  imports: [DetectorsModule, PresentationModule],
  providers: [ScanJobs, { provide: Clock, useClass: SystemClock }],
  controllers: [AlertsController],
})
export class AlertsHttpModule {}
