import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { Clock, SystemClock } from '@app/vocabulary';
import { RealTimeScoringService } from './real-time-scoring.service';
import { ScoreController } from './score.controller';

/**
 * Real-time scoring under /api/v1/score. Import it into ApiModule; it relies on the global
 * GraphStoreModule and SettingsModule that ApiModule already imports.
 */
@Module({
  imports: [DetectorsModule],
  controllers: [ScoreController],
  providers: [RealTimeScoringService, { provide: Clock, useClass: SystemClock }],
})
export class ScoreHttpModule {}
