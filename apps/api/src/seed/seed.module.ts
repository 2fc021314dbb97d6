import { Module } from '@nestjs/common';
import { SeedOnStartService } from './seed-on-start.service';

@Module({ providers: [SeedOnStartService] })
export class SeedModule {}
