import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import { Clock, SystemClock } from '@app/vocabulary';
import { PresentationModule } from '../presentation/presentation.module';
import { CaseStore } from './case-store';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';
import { GraphCaseStore } from './graph.case-store';

/**
 * The case endpoints under /api/v1/cases. Cases are Case vertices in the graph store (durable on
 * JanusGraph); reports read alerts with their evidence (DetectorsModule, PresentationModule). It relies on the global GraphStoreModule that ApiModule imports.
 */
@Module({
  imports: [DetectorsModule, PresentationModule],
  controllers: [CasesController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: CaseStore,
      useFactory: (store: GraphStore) => new GraphCaseStore(store),
      inject: [GraphStore],
    },
    CasesService,
  ],
})
export class CasesModule {}
