import { Module } from '@nestjs/common';
import { DetectorRegistry, DetectorsModule, FraudRingService } from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import { Clock, SystemClock } from '@app/vocabulary';
import { PresentationModule } from '../presentation/presentation.module';
import { FraudController } from './fraud.controller';
import { SharedRingsService } from './shared-rings.service';
import { yieldingGraphStore } from './yielding.graph-store';

/**
 * The ring searches of GET /fraud/rings: FraudRingService over a store that yields to the event
 * loop around each read, so that a search does not hold other requests (see yieldingGraphStore).
 */
export function createYieldingRingService(
  store: GraphStore,
  registry: DetectorRegistry,
): FraudRingService {
  return new FraudRingService(yieldingGraphStore(store), registry);
}

/** The fraud endpoints under /api/v1/fraud (rings). Import it into ApiModule. */
@Module({
  imports: [DetectorsModule, PresentationModule],
  controllers: [FraudController],
  providers: [
    SharedRingsService,
    {
      provide: FraudRingService,
      useFactory: createYieldingRingService,
      inject: [GraphStore, DetectorRegistry],
    },
    { provide: Clock, useClass: SystemClock },
  ],
})
export class FraudHttpModule {}
