import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '@app/vocabulary';
import { PresentationModule } from '../presentation/presentation.module';
import { CompaniesController } from '../companies/companies.controller';
import { EntitiesController } from './entities.controller';
import { GraphStatsService } from './graph-stats.service';

@Module({
  imports: [PresentationModule],
  controllers: [EntitiesController, CompaniesController],
  providers: [GraphStatsService, { provide: Clock, useClass: SystemClock }],
})
export class EntitiesModule {}
