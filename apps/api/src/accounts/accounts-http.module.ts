import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { PresentationModule } from '../presentation/presentation.module';
import { AccountsController } from './accounts.controller';

/** The account endpoints under /api/v1/accounts (risk). Import it into ApiModule. */
@Module({
  imports: [DetectorsModule, PresentationModule],
  controllers: [AccountsController],
})
export class AccountsHttpModule {}
