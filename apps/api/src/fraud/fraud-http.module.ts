import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { PresentationModule } from '../presentation/presentation.module';
import { FraudController } from './fraud.controller';

/** The fraud endpoints under /api/v1/fraud (rings). Import it into ApiModule. */
@Module({
  imports: [DetectorsModule, PresentationModule],
  controllers: [FraudController],
})
export class FraudHttpModule {}
