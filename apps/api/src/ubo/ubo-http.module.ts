import { Module } from '@nestjs/common';
import { UboModule } from '@app/ubo';
import { UboController } from './ubo.controller';

/**
 * The UBO endpoints under /api/v1/ubo. Import it into ApiModule; it relies on the global
 * GraphStoreModule and SettingsModule that ApiModule already imports.
 */
@Module({
  imports: [UboModule],
  controllers: [UboController],
})
export class UboHttpModule {}
