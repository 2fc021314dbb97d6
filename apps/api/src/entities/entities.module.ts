import { Module } from '@nestjs/common';
import { PresentationModule } from '../presentation/presentation.module';
import { CompaniesController } from '../companies/companies.controller';
import { EntitiesController } from './entities.controller';

@Module({ imports: [PresentationModule], controllers: [EntitiesController, CompaniesController] })
export class EntitiesModule {}
