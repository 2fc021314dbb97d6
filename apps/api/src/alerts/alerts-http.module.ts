import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { AlertsController } from './alerts.controller';

/**
 * The alert endpoints under /api/v1/alerts. Import it into ApiModule; it relies on the global
 * GraphStoreModule and SettingsModule that ApiModule already imports.
 */
@Module({
  imports: [DetectorsModule],
  controllers: [AlertsController],
})
export class AlertsHttpModule {}
