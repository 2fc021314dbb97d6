import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { Clock, SystemClock } from '@app/vocabulary';
import { PresentationModule } from '../presentation/presentation.module';
import { FraudController } from './fraud.controller';
import { SharedRingsService } from './shared-rings.service';

/** The fraud endpoints under /api/v1/fraud (rings). Import it into ApiModule. */
@Module({
  imports: [DetectorsModule, PresentationModule],
  controllers: [FraudController],
  providers: [SharedRingsService, { provide: Clock, useClass: SystemClock }],
})
export class FraudHttpModule {}
