import { Module } from '@nestjs/common';
import { PresentationModule } from '../presentation/presentation.module';
import { EntitiesController } from './entities.controller';

@Module({ imports: [PresentationModule], controllers: [EntitiesController] })
export class EntitiesModule {}
